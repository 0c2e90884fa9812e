//! Photos and attachments on disk: resumable uploads keyed by SHA-256, processed with
//! [`shared::photo::process_photo`], written durably.
//!
//! **Keys.** A blob is uploaded to `PUT /api/blobs/{sha256}`, where the hash is of the bytes
//! sent; a body that does not hash to its key is refused, so a corrupted or mixed-up upload can
//! never be stored under a visit's reference. The app processes each photo on the device with
//! the same function before it stores it, and processing is idempotent, so what the server
//! stores is byte-for-byte what the device sent. A raw upload from elsewhere is processed
//! (turned upright, shrunk, EXIF and GPS dropped) and the processed JPEG stored under the key;
//! [`BlobInfo::stored_sha256`] then says so.
//!
//! **Resumable.** A large upload may come in pieces, each with `Content-Range: bytes
//! start-end/total`. Pieces are appended to a partial file; a piece that starts where the
//! partial file ends is taken, anything else is answered with how much is held (so the device
//! carries on from there). The last piece completes the upload. Re-sending a complete upload is
//! answered with the stored blob's details and changes nothing.
//!
//! **Durability.** Each file is written to a temporary name, `fsync`ed, renamed into place, and
//! the directory `fsync`ed, before the upload is answered; the metadata goes into the store
//! and is flushed. A crash leaves either the old state or the new, never half a photo.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::WorkerId;
use shared::photo::{PhotoError, PhotoLimits, is_sha256_hex, process_photo, sha256_hex};

/// What the server holds about one stored photo.
///
/// **Wire format:** answered to uploads and HEAD requests; change only additively.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct BlobInfo {
    /// The upload key: SHA-256 of the bytes sent, lower-case hex.
    pub sha256: String,
    /// SHA-256 of the bytes stored. The same as the key when the device processed the photo
    /// first, as the app does.
    pub stored_sha256: String,
    /// Always `image/jpeg`: every photo is stored re-encoded.
    pub media_type: String,
    /// The format the upload was in (`image/jpeg`, `image/png` or `image/webp`).
    pub uploaded_media_type: String,
    /// Width in pixels, upright.
    pub width: u32,
    /// Height in pixels, upright.
    pub height: u32,
    /// Size of the stored file in bytes.
    pub bytes: u64,
    /// Thumbnail width in pixels.
    pub thumbnail_width: u32,
    /// Thumbnail height in pixels.
    pub thumbnail_height: u32,
    /// Who uploaded it first.
    pub uploaded_by: WorkerId,
    /// When it was stored.
    pub stored_at: DateTime<Utc>,
}

/// Why an upload piece was refused.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The key is not a SHA-256 in lower-case hex.
    #[error("not a SHA-256 key")]
    BadKey,
    /// The `Content-Range` header is malformed or inconsistent.
    #[error("bad Content-Range: {0}")]
    BadRange(&'static str),
    /// The piece does not start where the held bytes end.
    #[error("out of order: {received} bytes are held")]
    OutOfOrder {
        /// Bytes held so far.
        received: u64,
    },
    /// The whole body does not hash to its key.
    #[error("the bytes do not match their SHA-256 key")]
    HashMismatch,
    /// The picture was refused.
    #[error(transparent)]
    Photo(#[from] PhotoError),
    /// The disk failed.
    #[error("storage: {0}")]
    Io(#[from] std::io::Error),
}

/// A parsed `Content-Range: bytes start-end/total`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ContentRange {
    /// The first byte's offset.
    pub start: u64,
    /// The last byte's offset (inclusive).
    pub end: u64,
    /// The whole upload's size.
    pub total: u64,
}

impl ContentRange {
    /// Parses the header value.
    pub fn parse(value: &str) -> Result<ContentRange, UploadError> {
        let rest =
            value.trim().strip_prefix("bytes ").ok_or(UploadError::BadRange("must start with 'bytes '"))?;
        let (range, total) = rest.split_once('/').ok_or(UploadError::BadRange("missing total"))?;
        let (start, end) = range.split_once('-').ok_or(UploadError::BadRange("missing range"))?;
        let number = |s: &str| s.trim().parse::<u64>().map_err(|_| UploadError::BadRange("not a number"));
        let (start, end, total) = (number(start)?, number(end)?, number(total)?);
        if end < start || end >= total {
            return Err(UploadError::BadRange("range outside the total"));
        }
        Ok(ContentRange { start, end, total })
    }
}

/// The photo files under one directory: `<sha>.jpg`, `<sha>.thumb.jpg`, and `partial/<sha>`.
#[derive(Clone, Debug)]
pub struct BlobStore {
    dir: PathBuf,
    limits: PhotoLimits,
}

impl BlobStore {
    /// Opens (creating) the directory.
    pub fn open(dir: &Path, limits: PhotoLimits) -> std::io::Result<BlobStore> {
        fs::create_dir_all(dir.join("partial"))?;
        Ok(BlobStore { dir: dir.to_owned(), limits })
    }

    /// The stored photo's path.
    pub fn photo_path(&self, sha256: &str) -> PathBuf {
        self.dir.join(format!("{sha256}.jpg"))
    }

    /// The thumbnail's path.
    pub fn thumbnail_path(&self, sha256: &str) -> PathBuf {
        self.dir.join(format!("{sha256}.thumb.jpg"))
    }

    fn partial_path(&self, sha256: &str) -> PathBuf {
        self.dir.join("partial").join(sha256)
    }

    /// How many bytes of an unfinished upload are held.
    pub fn partial_len(&self, sha256: &str) -> u64 {
        if !is_sha256_hex(sha256) {
            return 0;
        }
        fs::metadata(self.partial_path(sha256)).map(|m| m.len()).unwrap_or(0)
    }

    /// Takes one piece of an upload (`range` is `None` for a whole body in one go). Returns
    /// the processed photo when the upload is complete, for the caller to record.
    pub fn put(
        &self,
        sha256: &str,
        range: Option<ContentRange>,
        body: &[u8],
    ) -> Result<PutOutcome, UploadError> {
        if !is_sha256_hex(sha256) {
            return Err(UploadError::BadKey);
        }
        let Some(range) = range else {
            return self.complete(sha256, body).map(PutOutcome::Complete);
        };
        if range.end - range.start + 1 != body.len() as u64 {
            return Err(UploadError::BadRange("the body's length does not match the range"));
        }
        if range.total > self.limits.max_bytes as u64 {
            return Err(
                PhotoError::TooLarge { bytes: range.total as usize, max: self.limits.max_bytes }.into()
            );
        }
        let partial = self.partial_path(sha256);
        let held = fs::metadata(&partial).map(|m| m.len()).unwrap_or(0);
        if range.start != held {
            // A repeat of a piece already held (a lost answer) is harmless: say where we are.
            if range.end < held {
                return Ok(PutOutcome::Partial { received: held, total: range.total });
            }
            return Err(UploadError::OutOfOrder { received: held });
        }
        let mut file = OpenOptions::new().create(true).append(true).open(&partial)?;
        file.write_all(body)?;
        file.sync_all()?;
        let received = held + body.len() as u64;
        if received < range.total {
            return Ok(PutOutcome::Partial { received, total: range.total });
        }
        let mut whole = Vec::with_capacity(received as usize);
        File::open(&partial)?.read_to_end(&mut whole)?;
        let result = self.complete(sha256, &whole);
        // Whether it was stored or refused, the pieces are done with: a refused upload starts
        // again from nothing.
        let _ = fs::remove_file(&partial);
        result.map(PutOutcome::Complete)
    }

    fn complete(&self, sha256: &str, whole: &[u8]) -> Result<shared::photo::ProcessedPhoto, UploadError> {
        if sha256_hex(whole) != sha256 {
            return Err(UploadError::HashMismatch);
        }
        let photo = process_photo(whole, &self.limits)?;
        write_durably(&self.dir, &self.photo_path(sha256), &photo.jpeg)?;
        write_durably(&self.dir, &self.thumbnail_path(sha256), &photo.thumbnail)?;
        Ok(photo)
    }
}

/// The result of [`BlobStore::put`].
#[derive(Debug)]
pub enum PutOutcome {
    /// Complete: the processed photo, now on disk.
    Complete(shared::photo::ProcessedPhoto),
    /// More is needed.
    Partial {
        /// Bytes held so far.
        received: u64,
        /// The total expected.
        total: u64,
    },
}

/// Writes `bytes` to `path` so that after a crash it holds either its old content or all of
/// the new: a temporary file, fsync, rename, fsync of the directory.
pub fn write_durably(dir: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let temporary = path.with_extension(format!("tmp-{}", uuid::Uuid::now_v7()));
    let result = (|| {
        let mut file = File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&temporary, path)?;
        File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temporary);
    }
    result
}
