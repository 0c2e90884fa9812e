//! Photos on the device: processed (resized, EXIF and GPS gone) before anything is stored,
//! kept sealed under their SHA-256, queued, and uploaded by the sync engine.

mod core_fixtures;

use core_fixtures::*;
use mobile::photo::{PhotoError, add_photo, process};
use sha2::{Digest, Sha256};

/// A camera-sized JPEG (2400 × 1600) carrying an EXIF block with a GPS position, as phones
/// write them.
fn camera_jpeg() -> Vec<u8> {
    let (width, height) = (2400u32, 1600u32);
    let pixels: Vec<u8> = (0..width * height).flat_map(|i| [(i % 251) as u8, (i % 241) as u8, 90]).collect();
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode(&pixels, width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    // EXIF (APP1) right after the start-of-image marker: IFD0 points at a GPS IFD with a
    // latitude reference, as a phone camera writes it.
    let mut tiff = b"II*\0".to_vec();
    tiff.extend_from_slice(&8u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x8825u16.to_le_bytes()); // GPS IFD pointer
    tiff.extend_from_slice(&4u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&26u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x0001u16.to_le_bytes()); // GPSLatitudeRef
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&0u32.to_le_bytes());
    let mut app1 = vec![0xFF, 0xE1];
    app1.extend_from_slice(&((2 + 6 + tiff.len()) as u16).to_be_bytes());
    app1.extend_from_slice(b"Exif\0\0");
    app1.extend_from_slice(&tiff);
    jpeg.splice(2..2, app1);
    jpeg
}

/// Every file under `dir`, however deep (sled keeps large values in a `blobs` folder).
fn all_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() { files.extend(all_files(&path)) } else { files.push(path) }
    }
    files
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn a_camera_photo_is_shrunk_and_loses_its_exif_and_gps_before_it_is_kept() {
    let raw = camera_jpeg();
    assert!(contains(&raw, b"Exif\0\0"), "the test picture carries EXIF");
    let photo = process(&raw).unwrap();
    assert_eq!((photo.width, photo.height), (2048, 1365));
    assert!(!contains(&photo.bytes, b"Exif\0\0"), "no EXIF block survives");
    assert!(!contains(&photo.bytes, &[0xFF, 0xE1]), "no APP1 segment at all");
    assert_eq!(photo.media_type, "image/jpeg");
    assert_eq!(photo.sha256, hex::encode(Sha256::digest(&photo.bytes)));
    assert!(!photo.thumbnail.is_empty());
}

#[test]
fn an_added_photo_is_sealed_in_the_store_and_waits_for_upload() {
    let (dir, _local, store) = unlocked_store();
    let attachment = add_photo(&store, &camera_jpeg(), "Drawing of home").unwrap();
    assert_eq!(attachment.media_type, "image/jpeg");
    assert_eq!(attachment.caption, "Drawing of home");
    let kept = store.photo(&attachment.sha256).unwrap().expect("kept on the phone");
    assert_eq!(hex::encode(Sha256::digest(&kept.bytes)), attachment.sha256);
    // Sealed on disk: no run of the picture's bytes appears in the store's files.
    store.flush().unwrap();
    let middle = &kept.bytes[kept.bytes.len() / 2..kept.bytes.len() / 2 + 64];
    let files = all_files(dir.path());
    assert!(files.len() > 1, "{files:?}");
    for path in files {
        assert!(!contains(&std::fs::read(&path).unwrap(), middle), "picture bytes readable in {path:?}");
    }
    let pending = store.pending_uploads().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].sha256, attachment.sha256);
    assert_eq!(store.counts().unwrap().photos_waiting, 1, "the sync screen counts it as waiting");
    store.mark_uploaded(&attachment.sha256).unwrap();
    assert!(store.pending_uploads().unwrap().is_empty());
    assert!(store.photo(&attachment.sha256).unwrap().is_some(), "uploading does not delete it");
}

#[test]
fn something_that_is_not_a_picture_is_refused_in_plain_words_and_nothing_is_kept() {
    let (_dir, _local, store) = unlocked_store();
    let error = add_photo(&store, b"%PDF-1.7 not a picture", "").unwrap_err();
    assert!(matches!(error, PhotoError::Picture(shared::photo::PhotoError::UnsupportedFormat)));
    assert_eq!(error.to_string(), "This is not a JPEG, PNG or WebP picture.");
    assert!(store.pending_uploads().unwrap().is_empty());
}
