//! Processing a 12-megapixel phone photo, against ImageMagick in the same run.
//!
//! `cargo bench -p sync-server --bench photos`. The photo is made here: 4000 × 3000, a gradient
//! with sensor-like noise (so it compresses like a real photo, about 4 MB at quality 92), with
//! an EXIF block carrying an orientation and a GPS position. Both sides turn it upright, shrink
//! it to 2048 px on the longest edge and drop the metadata:
//! - ours: `shared::photo::process_photo` (which also makes a thumbnail and a SHA-256);
//! - ImageMagick: `convert in.jpg -auto-orient -resize 2048x2048 -strip out.jpg`, spawned,
//!   if `/usr/bin/convert` is there.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use shared::photo::{PhotoLimits, process_photo};

/// A 12 MP JPEG with EXIF (orientation 6, GPS).
fn twelve_megapixel_jpeg() -> Vec<u8> {
    let (width, height) = (4000u32, 3000u32);
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    for y in 0..height {
        for x in 0..width {
            // xorshift noise, ±16 levels, over a smooth scene.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let noise = (state % 33) as i32 - 16;
            let base = [
                (x * 255 / width) as i32,
                (y * 255 / height) as i32,
                (((x / 40) ^ (y / 40)) % 2 * 120 + 60) as i32,
            ];
            for channel in base {
                pixels.push((channel + noise).clamp(0, 255) as u8);
            }
        }
    }
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 92);
    encoder.add_exif_metadata(&exif_block()).expect("exif");
    encoder.encode(&pixels, width as u16, height as u16, jpeg_encoder::ColorType::Rgb).expect("encode");
    out
}

fn exif_block() -> Vec<u8> {
    // Little-endian TIFF: IFD0 with Orientation = 6 and a GPS IFD pointer; GPS latitude ref.
    let mut t = b"II*\0".to_vec();
    t.extend_from_slice(&8u32.to_le_bytes());
    t.extend_from_slice(&2u16.to_le_bytes());
    for (tag, kind, count, value) in [(0x0112u16, 3u16, 1u32, 6u32), (0x8825, 4, 1, 38)] {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&kind.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value.to_le_bytes());
    }
    t.extend_from_slice(&0u32.to_le_bytes());
    t.extend_from_slice(&1u16.to_le_bytes());
    t.extend_from_slice(&1u16.to_le_bytes());
    t.extend_from_slice(&2u16.to_le_bytes());
    t.extend_from_slice(&2u32.to_le_bytes());
    t.extend_from_slice(b"N\0\0\0");
    t.extend_from_slice(&0u32.to_le_bytes());
    t
}

fn convert_once(input: &Path, output: &Path) -> bool {
    Command::new("/usr/bin/convert")
        .arg(input)
        .args(["-auto-orient", "-resize", "2048x2048", "-strip"])
        .arg(output)
        .status()
        .is_ok_and(|s| s.success())
}

fn bench(c: &mut Criterion) {
    let jpeg = twelve_megapixel_jpeg();
    let limits = PhotoLimits::default();
    let photo = process_photo(&jpeg, &limits).expect("processes");
    assert_eq!((photo.width, photo.height), (1536, 2048), "turned upright and shrunk");
    println!("input: 4000x3000 JPEG, {} bytes; ours: {} bytes out", jpeg.len(), photo.jpeg.len());

    let mut group = c.benchmark_group("photo_12mp");
    group.sample_size(20).measurement_time(Duration::from_secs(20));
    group.bench_function("ours_process_photo", |b| {
        b.iter(|| process_photo(&jpeg, &limits).expect("processes"))
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("in.jpg");
    let output = dir.path().join("out.jpg");
    std::fs::write(&input, &jpeg).expect("write input");
    if convert_once(&input, &output) {
        let size = std::fs::metadata(&output).map(|m| m.len()).unwrap_or(0);
        println!("imagemagick: {size} bytes out");
        group.bench_function("imagemagick_convert", |b| b.iter(|| assert!(convert_once(&input, &output))));
    } else {
        println!("imagemagick: /usr/bin/convert not available; comparison skipped");
    }
    group.finish();

    // One plain side-by-side line, whatever criterion prints.
    let time = |f: &mut dyn FnMut()| {
        let start = Instant::now();
        for _ in 0..5 {
            f();
        }
        start.elapsed() / 5
    };
    let ours = time(&mut || {
        process_photo(&jpeg, &limits).expect("processes");
    });
    if convert_once(&input, &output) {
        let theirs = time(&mut || {
            convert_once(&input, &output);
        });
        println!("12 MP photo, mean of 5: ours {ours:?}, ImageMagick convert {theirs:?}");
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
