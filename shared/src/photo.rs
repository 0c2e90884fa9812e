//! Photo processing, shared by the field app (before a photo is stored on the device) and the
//! sync server (on upload), so both hold the same bytes under the same SHA-256.
//!
//! [`process_photo`] takes whatever a camera or a file picker produced and returns a JPEG that
//! is safe to keep and send:
//! - the real format is read from the file's first bytes (JPEG, PNG or WebP only); the name or
//!   declared type does not matter;
//! - decoding goes through `image` with limits on bytes, width, height, pixels and memory, so a
//!   decompression bomb, a truncated file or a hostile one is refused with a plain message,
//!   never a panic;
//! - the picture is turned the right way up from its EXIF orientation, shrunk to at most
//!   [`PhotoLimits::max_edge`] pixels on its longest edge and re-encoded as JPEG, which leaves
//!   every EXIF and GPS tag behind (a photo of a child's home must not carry where it was taken);
//! - a thumbnail is made, and the SHA-256 of the output computed.
//!
//! Processing is idempotent: feeding an output back in returns the same bytes, so the hash the
//! app computed is the hash the server stores the upload under.
//!
//! Only compiled with the `photo` feature: everything else in `shared` stays free of image code.

use std::fmt;
use std::io::Cursor;

use fast_image_resize as fir;
use image::{
    DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, RgbImage, metadata::Orientation,
};
use sha2::{Digest, Sha256};

/// How much a photo may weigh and measure, and what comes out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhotoLimits {
    /// The largest file accepted, in bytes.
    pub max_bytes: usize,
    /// The widest picture accepted, in pixels.
    pub max_width: u32,
    /// The tallest picture accepted, in pixels.
    pub max_height: u32,
    /// The most pixels accepted (width × height), whatever the shape.
    pub max_pixels: u64,
    /// The most memory the decoder may allocate, in bytes.
    pub max_alloc: u64,
    /// The longest edge of the output, in pixels.
    pub max_edge: u32,
    /// The longest edge of the thumbnail, in pixels.
    pub thumbnail_edge: u32,
    /// JPEG quality of the output and thumbnail (1 to 100).
    pub jpeg_quality: u8,
}

impl Default for PhotoLimits {
    /// Room for any phone camera in use (a 108 MP sensor bins to 12 MP by default, and 50 MP
    /// full-resolution shots fit), and for nothing much bigger.
    fn default() -> Self {
        Self {
            max_bytes: 40 * 1024 * 1024,
            max_width: 12_000,
            max_height: 12_000,
            max_pixels: 64_000_000,
            max_alloc: 512 * 1024 * 1024,
            max_edge: 2048,
            thumbnail_edge: 320,
            jpeg_quality: 85,
        }
    }
}

/// The picture formats accepted, as detected from the file's first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PhotoFormat {
    /// JPEG (`FF D8 FF`).
    Jpeg,
    /// PNG (`89 50 4E 47 0D 0A 1A 0A`).
    Png,
    /// WebP (`RIFF....WEBP`).
    WebP,
}

impl PhotoFormat {
    /// Detects the format from the file's magic bytes, ignoring any name or declared type.
    pub fn detect(bytes: &[u8]) -> Option<PhotoFormat> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(PhotoFormat::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(PhotoFormat::Png)
        } else if bytes.len() >= 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(PhotoFormat::WebP)
        } else {
            None
        }
    }

    /// The media type, as in [`crate::visit::ACCEPTED_MEDIA_TYPES`].
    pub fn media_type(self) -> &'static str {
        match self {
            PhotoFormat::Jpeg => "image/jpeg",
            PhotoFormat::Png => "image/png",
            PhotoFormat::WebP => "image/webp",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            PhotoFormat::Jpeg => ImageFormat::Jpeg,
            PhotoFormat::Png => ImageFormat::Png,
            PhotoFormat::WebP => ImageFormat::WebP,
        }
    }
}

/// A processed photo: a clean JPEG, its thumbnail and its hash.
#[derive(Clone, PartialEq, Eq)]
pub struct ProcessedPhoto {
    /// The JPEG to keep and send: upright, at most `max_edge` px, no metadata.
    pub jpeg: Vec<u8>,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
    /// A small JPEG for lists, at most `thumbnail_edge` px.
    pub thumbnail: Vec<u8>,
    /// The thumbnail's width in pixels.
    pub thumbnail_width: u32,
    /// The thumbnail's height in pixels.
    pub thumbnail_height: u32,
    /// SHA-256 of [`Self::jpeg`], lower-case hex: the upload key.
    pub sha256: String,
    /// The format the input was in.
    pub source_format: PhotoFormat,
}

impl ProcessedPhoto {
    /// The output's media type (always JPEG).
    pub const MEDIA_TYPE: &'static str = "image/jpeg";
}

impl fmt::Debug for ProcessedPhoto {
    // The bytes are a picture of a child's life: never print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProcessedPhoto")
            .field("bytes", &self.jpeg.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .field("thumbnail_bytes", &self.thumbnail.len())
            .field("sha256", &self.sha256)
            .field("source_format", &self.source_format)
            .finish()
    }
}

/// Why a photo was refused. Every message is plain words for the worker who took it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// Nothing was sent.
    #[error("The file is empty.")]
    Empty,
    /// The file is bigger than allowed.
    #[error("The file is too big ({bytes} bytes; the most allowed is {max} bytes).")]
    TooLarge {
        /// The file's size.
        bytes: usize,
        /// The most allowed.
        max: usize,
    },
    /// Not a JPEG, PNG or WebP picture, whatever its name says.
    #[error("This is not a JPEG, PNG or WebP picture.")]
    UnsupportedFormat,
    /// The picture says it is bigger than allowed (a decompression bomb looks like this).
    #[error("The picture is too large ({width}×{height} pixels).")]
    DimensionsTooLarge {
        /// Claimed width.
        width: u32,
        /// Claimed height.
        height: u32,
    },
    /// Decoding would need more memory than allowed.
    #[error("The picture needs too much memory to open.")]
    TooMuchMemory,
    /// The file stops part-way through.
    #[error("The picture file is incomplete (it may not have finished copying or uploading).")]
    Truncated,
    /// The file is damaged or not what it claims to be.
    #[error("The picture file is damaged and cannot be opened.")]
    Corrupt {
        /// What the decoder said, for the server's log (no picture content).
        detail: String,
    },
    /// The output could not be made. A fault of ours, not the worker's.
    #[error("The picture could not be processed.")]
    Processing {
        /// What went wrong.
        detail: String,
    },
}

impl PhotoError {
    /// A stable machine-readable code for error bodies.
    pub fn code(&self) -> &'static str {
        match self {
            PhotoError::Empty => "photo_empty",
            PhotoError::TooLarge { .. } => "photo_too_large",
            PhotoError::UnsupportedFormat => "photo_unsupported_format",
            PhotoError::DimensionsTooLarge { .. } => "photo_dimensions_too_large",
            PhotoError::TooMuchMemory => "photo_too_much_memory",
            PhotoError::Truncated => "photo_truncated",
            PhotoError::Corrupt { .. } => "photo_corrupt",
            PhotoError::Processing { .. } => "photo_processing",
        }
    }

    /// Whether the input was at fault (a 4xx), rather than the processing (a 5xx).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, PhotoError::Processing { .. })
    }
}

/// Processes a photo: see the module documentation.
pub fn process_photo(bytes: &[u8], limits: &PhotoLimits) -> Result<ProcessedPhoto, PhotoError> {
    if bytes.is_empty() {
        return Err(PhotoError::Empty);
    }
    if bytes.len() > limits.max_bytes {
        return Err(PhotoError::TooLarge { bytes: bytes.len(), max: limits.max_bytes });
    }
    let format = PhotoFormat::detect(bytes).ok_or(PhotoError::UnsupportedFormat)?;
    // zune-jpeg, under `image`, fills in a truncated JPEG with grey rather than failing, so the
    // structure is checked first.
    let jpeg_structure = match format {
        PhotoFormat::Jpeg => {
            let structure = JpegStructure::scan(bytes);
            if !structure.complete {
                return Err(PhotoError::Truncated);
            }
            Some(structure)
        }
        _ => None,
    };

    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    // Width and height are checked just below, from the header, before anything is decoded.
    // Given to `image` as limits they would be refused inside `into_decoder`, which does not
    // say the dimensions, and the worker would be told "0×0 pixels".
    let mut image_limits = image::Limits::default();
    image_limits.max_image_width = None;
    image_limits.max_image_height = None;
    image_limits.max_alloc = Some(limits.max_alloc);
    reader.limits(image_limits);
    let mut decoder = reader.into_decoder().map_err(decode_error)?;
    let (width, height) = decoder.dimensions();
    if width > limits.max_width
        || height > limits.max_height
        || u64::from(width) * u64::from(height) > limits.max_pixels
    {
        return Err(PhotoError::DimensionsTooLarge { width, height });
    }
    // Not every decoder honours `max_alloc` (PNG's counts only its own buffers), so the decoded
    // size is checked here too, for all of them alike.
    if decoder.total_bytes() > limits.max_alloc {
        return Err(PhotoError::TooMuchMemory);
    }
    if width == 0 || height == 0 {
        return Err(PhotoError::Corrupt { detail: "zero-sized picture".to_owned() });
    }
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let decoded = DynamicImage::from_decoder(decoder).map_err(decode_error)?;
    let rgb = flatten_to_rgb(decoded);

    // Shrink first and turn afterwards: turning a 12 MP picture costs a full copy, turning the
    // shrunk one a third of that. The longest edge is the same either way.
    let (out_width, out_height) = fit_within(width, height, limits.max_edge);
    let resized = resize(rgb, out_width, out_height)?;
    let upright = orient(resized, orientation);

    let already_clean = jpeg_structure.is_some_and(|s| !s.has_metadata)
        && orientation == Orientation::NoTransforms
        && (out_width, out_height) == (width, height);
    let jpeg = if already_clean {
        // Already one of our outputs (or as clean as one): keep the bytes, so the hash stays.
        bytes.to_vec()
    } else {
        encode_jpeg(&upright, limits.jpeg_quality)?
    };

    let (thumb_width, thumb_height) = fit_within(upright.width(), upright.height(), limits.thumbnail_edge);
    let thumbnail_image = resize(upright.clone(), thumb_width, thumb_height)?;
    let thumbnail = encode_jpeg(&thumbnail_image, limits.jpeg_quality)?;

    let sha256 = sha256_hex(&jpeg);
    Ok(ProcessedPhoto {
        jpeg,
        width: upright.width(),
        height: upright.height(),
        thumbnail,
        thumbnail_width: thumb_width,
        thumbnail_height: thumb_height,
        sha256,
        source_format: format,
    })
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for byte in digest {
        use fmt::Write;
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Whether `text` is a SHA-256 in the form used as an upload key (64 lower-case hex digits).
pub fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

fn decode_error(error: ImageError) -> PhotoError {
    match error {
        ImageError::Limits(limit) => match limit.kind() {
            image::error::LimitErrorKind::DimensionError => {
                PhotoError::DimensionsTooLarge { width: 0, height: 0 }
            }
            _ => PhotoError::TooMuchMemory,
        },
        ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => PhotoError::Truncated,
        ImageError::Unsupported(_) => PhotoError::UnsupportedFormat,
        other => {
            let detail = other.to_string();
            // The PNG and WebP decoders say "unexpected end of file" in their own words.
            let lower = detail.to_ascii_lowercase();
            if lower.contains("eof") || lower.contains("end of file") || lower.contains("truncated") {
                PhotoError::Truncated
            } else {
                PhotoError::Corrupt { detail }
            }
        }
    }
}

/// Drops transparency the way a person expects: transparent parts of a drawing become white
/// paper, not black.
fn flatten_to_rgb(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let (width, height) = rgba.dimensions();
    let mut out = Vec::with_capacity(width as usize * height as usize * 3);
    for pixel in rgba.pixels() {
        let [r, g, b, a] = pixel.0;
        let alpha = u16::from(a);
        for channel in [r, g, b] {
            let blended = (u16::from(channel) * alpha + 255 * (255 - alpha) + 127) / 255;
            out.push(u8::try_from(blended).unwrap_or(u8::MAX));
        }
    }
    RgbImage::from_raw(width, height, out).unwrap_or_else(|| RgbImage::new(width, height))
}

/// The size of `width`×`height` shrunk to fit `max_edge` on its longest edge, keeping its shape.
/// Never enlarges.
fn fit_within(width: u32, height: u32, max_edge: u32) -> (u32, u32) {
    let longest = width.max(height);
    if longest <= max_edge {
        return (width, height);
    }
    let scale = f64::from(max_edge) / f64::from(longest);
    let scaled = |side: u32| ((f64::from(side) * scale).round() as u32).clamp(1, max_edge);
    (scaled(width), scaled(height))
}

fn resize(image: RgbImage, width: u32, height: u32) -> Result<RgbImage, PhotoError> {
    if image.dimensions() == (width, height) {
        return Ok(image);
    }
    let (src_width, src_height) = image.dimensions();
    let processing = |e: &dyn fmt::Display| PhotoError::Processing { detail: e.to_string() };
    let source =
        fir::images::Image::from_vec_u8(src_width, src_height, image.into_raw(), fir::PixelType::U8x3)
            .map_err(|e| processing(&e))?;
    let mut target = fir::images::Image::new(width, height, fir::PixelType::U8x3);
    // Lanczos3, as ImageMagick uses when shrinking: sharp, without ringing worth noticing.
    let options =
        fir::ResizeOptions::new().resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3));
    fir::Resizer::new().resize(&source, &mut target, &options).map_err(|e| processing(&e))?;
    RgbImage::from_raw(width, height, target.into_vec())
        .ok_or_else(|| PhotoError::Processing { detail: "resized buffer has the wrong size".to_owned() })
}

fn orient(image: RgbImage, orientation: Orientation) -> RgbImage {
    if orientation == Orientation::NoTransforms {
        return image;
    }
    let mut dynamic = DynamicImage::ImageRgb8(image);
    dynamic.apply_orientation(orientation);
    dynamic.into_rgb8()
}

fn encode_jpeg(image: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let (width, height) = image.dimensions();
    let (Ok(width), Ok(height)) = (u16::try_from(width), u16::try_from(height)) else {
        return Err(PhotoError::Processing { detail: "output too large for JPEG".to_owned() });
    };
    let mut out = Vec::with_capacity(image.as_raw().len() / 8);
    // The encoder writes a bare JFIF header: no EXIF, no GPS, no comment, nothing we did not put
    // there.
    let encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    encoder
        .encode(image.as_raw(), width, height, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| PhotoError::Processing { detail: e.to_string() })?;
    Ok(out)
}

/// What a walk over a JPEG's segments found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct JpegStructure {
    /// The end-of-image marker was reached after the image data: nothing is missing.
    complete: bool,
    /// Any segment that could carry metadata: APP1 to APP15 (EXIF, XMP, ICC, maker notes), a
    /// comment, or an APP0 that is not a plain JFIF header; or anything after the end-of-image
    /// marker (a second picture with its own EXIF and GPS, a phone's trailer), which no decoder
    /// reads but the bytes kept would still carry.
    has_metadata: bool,
}

impl JpegStructure {
    fn scan(bytes: &[u8]) -> JpegStructure {
        let mut found = JpegStructure { complete: false, has_metadata: false };
        let mut i = 2; // after SOI
        loop {
            // Markers may be padded with any number of 0xFF fill bytes.
            while i < bytes.len() && bytes[i] != 0xFF {
                i += 1;
            }
            while i < bytes.len() && bytes[i] == 0xFF {
                i += 1;
            }
            let Some(&marker) = bytes.get(i) else { return found };
            i += 1;
            match marker {
                0xD9 => {
                    found.complete = true;
                    found.has_metadata |= i < bytes.len();
                    return found;
                }
                0xD0..=0xD7 | 0x01 => continue,
                _ => {}
            }
            let (Some(&high), Some(&low)) = (bytes.get(i), bytes.get(i + 1)) else { return found };
            let length = usize::from(u16::from_be_bytes([high, low]));
            if length < 2 {
                return found;
            }
            let body = &bytes[(i + 2).min(bytes.len())..(i + length).min(bytes.len())];
            match marker {
                0xE0 if !(body.starts_with(b"JFIF\0") || body.starts_with(b"JFXX\0")) => {
                    found.has_metadata = true;
                }
                0xE1..=0xEF | 0xFE => found.has_metadata = true,
                _ => {}
            }
            i += length;
            if i > bytes.len() {
                return found;
            }
            if marker == 0xDA {
                // Entropy-coded data follows: a 0xFF in it is always followed by 0x00 (a stuffed
                // byte) or a restart marker, so the next other marker ends the scan.
                while i + 1 < bytes.len() {
                    if bytes[i] == 0xFF && bytes[i + 1] != 0x00 && !(0xD0..=0xD7).contains(&bytes[i + 1]) {
                        break;
                    }
                    i += 1;
                }
                if i + 1 >= bytes.len() {
                    return found;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
    use rstest::rstest;

    // ---- The corpus: every test picture is made here, from nothing. ----

    /// A picture with a gradient, so that resizing and encoding have real work to do.
    fn gradient(width: u32, height: u32) -> RgbImage {
        RgbImage::from_fn(width, height, |x, y| {
            Rgb([(x * 255 / width.max(1)) as u8, (y * 255 / height.max(1)) as u8, ((x + y) % 256) as u8])
        })
    }

    fn jpeg_of(image: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        jpeg_encoder::Encoder::new(&mut out, 90)
            .encode(image.as_raw(), image.width() as u16, image.height() as u16, jpeg_encoder::ColorType::Rgb)
            .expect("encode test JPEG");
        out
    }

    fn png_of(image: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8)
            .expect("encode test PNG");
        out
    }

    fn webp_of(image: &RgbImage) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::webp::WebPEncoder::new_lossless(&mut out)
            .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8)
            .expect("encode test WebP");
        out
    }

    /// A TIFF-structured EXIF block with an orientation and a GPS position (49.2N, 2.1W: Jersey),
    /// written by hand as a camera would.
    fn exif_with_gps(orientation: u16) -> Vec<u8> {
        let mut t = Vec::new();
        t.extend_from_slice(b"II*\0");
        t.extend_from_slice(&8u32.to_le_bytes());
        // IFD0 at 8: two entries.
        let entry = |t: &mut Vec<u8>, tag: u16, kind: u16, count: u32, value: [u8; 4]| {
            t.extend_from_slice(&tag.to_le_bytes());
            t.extend_from_slice(&kind.to_le_bytes());
            t.extend_from_slice(&count.to_le_bytes());
            t.extend_from_slice(&value);
        };
        let gps_ifd: u32 = 8 + 2 + 2 * 12 + 4; // 38
        t.extend_from_slice(&2u16.to_le_bytes());
        let o = orientation.to_le_bytes();
        entry(&mut t, 0x0112, 3, 1, [o[0], o[1], 0, 0]);
        entry(&mut t, 0x8825, 4, 1, gps_ifd.to_le_bytes());
        t.extend_from_slice(&0u32.to_le_bytes());
        // GPS IFD at 38: four entries, then the two rational triples.
        let rationals: u32 = gps_ifd + 2 + 4 * 12 + 4;
        t.extend_from_slice(&4u16.to_le_bytes());
        entry(&mut t, 0x0001, 2, 2, *b"N\0\0\0");
        entry(&mut t, 0x0002, 5, 3, rationals.to_le_bytes());
        entry(&mut t, 0x0003, 2, 2, *b"W\0\0\0");
        entry(&mut t, 0x0004, 5, 3, (rationals + 24).to_le_bytes());
        t.extend_from_slice(&0u32.to_le_bytes());
        for (numerator, denominator) in [(49u32, 1u32), (12, 1), (0, 1), (2, 1), (6, 1), (0, 1)] {
            t.extend_from_slice(&numerator.to_le_bytes());
            t.extend_from_slice(&denominator.to_le_bytes());
        }
        t
    }

    fn jpeg_with_exif(image: &RgbImage, orientation: u16) -> Vec<u8> {
        let mut out = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
        encoder.add_exif_metadata(&exif_with_gps(orientation)).expect("add EXIF");
        encoder
            .encode(image.as_raw(), image.width() as u16, image.height() as u16, jpeg_encoder::ColorType::Rgb)
            .expect("encode test JPEG");
        out
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &byte in bytes {
            crc ^= u32::from(byte);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    /// A decompression bomb: a few hundred bytes that claim to be 100,000 × 100,000 pixels
    /// (30 GB once decoded).
    fn png_bomb() -> Vec<u8> {
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut chunk = |kind: &[u8], data: &[u8]| {
            png.extend_from_slice(&(data.len() as u32).to_be_bytes());
            let mut crc_input = kind.to_vec();
            crc_input.extend_from_slice(data);
            png.extend_from_slice(&crc_input);
            png.extend_from_slice(&crc32(&crc_input).to_be_bytes());
        };
        let mut header = Vec::new();
        header.extend_from_slice(&100_000u32.to_be_bytes());
        header.extend_from_slice(&100_000u32.to_be_bytes());
        header.extend_from_slice(&[8, 2, 0, 0, 0]);
        chunk(b"IHDR", &header);
        // A zlib stream of zeros: tiny on disk, enormous in memory.
        chunk(b"IDAT", &[0x78, 0x9C, 0xED, 0xC1, 0x01, 0x0D, 0x00, 0x00, 0x00, 0xC2, 0xA0, 0xF7, 0x4F]);
        chunk(b"IEND", &[]);
        png
    }

    /// A JPEG whose frame header claims 60,000 × 60,000 pixels.
    fn jpeg_bomb() -> Vec<u8> {
        let mut jpeg = jpeg_of(&gradient(16, 16));
        // Find the baseline frame header (FF C0) and rewrite its height and width.
        let sof = jpeg.windows(2).position(|w| w == [0xFF, 0xC0]).expect("SOF0");
        jpeg[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
        jpeg[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
        jpeg
    }

    fn read_exif(bytes: &[u8]) -> Result<exif::Exif, exif::Error> {
        exif::Reader::new().read_from_container(&mut Cursor::new(bytes))
    }

    fn decode(bytes: &[u8]) -> RgbImage {
        image::load_from_memory(bytes).expect("output decodes").into_rgb8()
    }

    fn limits() -> PhotoLimits {
        PhotoLimits::default()
    }

    // ---- Accepted pictures. ----

    #[rstest]
    #[case::jpeg(jpeg_of(&gradient(64, 48)), PhotoFormat::Jpeg)]
    #[case::png(png_of(&gradient(64, 48)), PhotoFormat::Png)]
    #[case::webp(webp_of(&gradient(64, 48)), PhotoFormat::WebP)]
    fn each_accepted_format_comes_out_as_a_clean_jpeg(#[case] input: Vec<u8>, #[case] format: PhotoFormat) {
        let photo = process_photo(&input, &limits()).expect("accepted");
        assert_eq!(photo.source_format, format);
        assert_eq!(PhotoFormat::detect(&photo.jpeg), Some(PhotoFormat::Jpeg));
        assert_eq!((photo.width, photo.height), (64, 48));
        assert_eq!(decode(&photo.jpeg).dimensions(), (64, 48));
        assert_eq!(photo.sha256, sha256_hex(&photo.jpeg));
        assert!(!JpegStructure::scan(&photo.jpeg).has_metadata);
    }

    #[test]
    fn a_png_named_jpg_is_read_as_the_png_it_is() {
        // The file picker said "drawing.jpg" and "image/jpeg"; only the bytes count.
        let declared_jpeg_but_png = png_of(&gradient(30, 20));
        let photo = process_photo(&declared_jpeg_but_png, &limits()).expect("accepted");
        assert_eq!(photo.source_format, PhotoFormat::Png);
        assert_eq!(decode(&photo.jpeg).dimensions(), (30, 20));
    }

    #[test]
    fn exif_and_gps_are_gone_from_the_output() {
        let input = jpeg_with_exif(&gradient(64, 48), 1);
        // The input really carries a GPS position, or this test would prove nothing.
        let before = read_exif(&input).expect("input has EXIF");
        assert!(before.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY).is_some());
        assert!(before.get_field(exif::Tag::GPSLongitude, exif::In::PRIMARY).is_some());

        let photo = process_photo(&input, &limits()).expect("accepted");
        match read_exif(&photo.jpeg) {
            Err(exif::Error::NotFound(_)) => {}
            Ok(_) => panic!("the output still has EXIF"),
            Err(other) => panic!("unexpected EXIF read error: {other}"),
        }
        match read_exif(&photo.thumbnail) {
            Err(exif::Error::NotFound(_)) => {}
            Ok(_) => panic!("the thumbnail still has EXIF"),
            Err(other) => panic!("unexpected EXIF read error: {other}"),
        }
        assert!(!photo.jpeg.windows(4).any(|w| w == b"Exif"));
        assert!(!JpegStructure::scan(&photo.jpeg).has_metadata);
    }

    /// A clean picture with another one, carrying EXIF and a GPS position, after its end: no
    /// decoder reads past the first end-of-image marker, so the bytes looked clean and were kept
    /// as sent, GPS and all. Anything after the end now has the picture encoded afresh.
    #[test]
    fn gps_appended_after_the_end_of_a_clean_picture_is_not_kept() {
        let clean = process_photo(&jpeg_of(&gradient(64, 48)), &limits()).expect("accepted").jpeg;
        let with_gps = jpeg_with_exif(&gradient(16, 16), 1);
        assert!(
            read_exif(&with_gps)
                .is_ok_and(|e| e.get_field(exif::Tag::GPSLatitude, exif::In::PRIMARY).is_some())
        );
        let mut input = clean.clone();
        input.extend_from_slice(&with_gps);

        let photo = process_photo(&input, &limits()).expect("accepted");
        assert!(!photo.jpeg.windows(4).any(|w| w == b"Exif"), "the appended EXIF was kept");
        assert!(photo.jpeg.len() < input.len());
        assert_eq!(photo.jpeg.iter().rev().take(2).collect::<Vec<_>>(), [&0xD9, &0xFF], "ends at its end");
        assert_eq!(decode(&photo.jpeg).dimensions(), (64, 48), "the first picture, as seen");
        // A clean picture alone is still kept byte for byte (its hash stays).
        assert_eq!(process_photo(&clean, &limits()).expect("accepted").jpeg, clean);
    }

    #[rstest]
    // EXIF orientation 6: the camera was turned; the picture must be turned 90° clockwise.
    #[case::rotate_90_clockwise(6, (20, 40), "top")]
    // Orientation 8: turned 90° anticlockwise, so the red left half ends up at the bottom.
    #[case::rotate_90_anticlockwise(8, (20, 40), "bottom")]
    // Orientation 3: upside down, so red (left) ends up on the right.
    #[case::rotate_180(3, (40, 20), "right")]
    #[case::upright(1, (40, 20), "left")]
    fn photos_are_turned_upright_from_their_exif_orientation(
        #[case] orientation: u16,
        #[case] size: (u32, u32),
        #[case] red_side: &str,
    ) {
        // Left half red, right half blue.
        let image =
            RgbImage::from_fn(40, 20, |x, _| if x < 20 { Rgb([255, 0, 0]) } else { Rgb([0, 0, 255]) });
        let photo = process_photo(&jpeg_with_exif(&image, orientation), &limits()).expect("accepted");
        let out = decode(&photo.jpeg);
        assert_eq!(out.dimensions(), size);
        let (w, h) = size;
        let probe = match red_side {
            "top" => (w / 2, 2),
            "bottom" => (w / 2, h - 3),
            "left" => (2, h / 2),
            _ => (w - 3, h / 2),
        };
        let pixel = out.get_pixel(probe.0, probe.1).0;
        assert!(pixel[0] > 200 && pixel[2] < 60, "expected red on the {red_side}, found {pixel:?}");
    }

    #[rstest]
    #[case::landscape_12_megapixel_shape((4000, 3000), (2048, 1536))]
    #[case::portrait((1500, 3000), (1024, 2048))]
    #[case::small_is_left_alone((800, 600), (800, 600))]
    fn the_longest_edge_is_at_most_2048(#[case] input: (u32, u32), #[case] expected: (u32, u32)) {
        let photo = process_photo(&jpeg_of(&gradient(input.0, input.1)), &limits()).expect("accepted");
        assert_eq!((photo.width, photo.height), expected);
        assert_eq!(decode(&photo.jpeg).dimensions(), expected);
        assert!(photo.thumbnail_width.max(photo.thumbnail_height) <= 320);
        assert_eq!(decode(&photo.thumbnail).dimensions(), (photo.thumbnail_width, photo.thumbnail_height));
    }

    #[test]
    fn processing_an_output_again_changes_nothing_so_the_hash_stays() {
        let first = process_photo(&jpeg_with_exif(&gradient(300, 200), 6), &limits()).expect("accepted");
        let second = process_photo(&first.jpeg, &limits()).expect("accepted");
        assert_eq!(second.jpeg, first.jpeg);
        assert_eq!(second.sha256, first.sha256);
    }

    #[test]
    fn transparent_parts_of_a_drawing_become_white_not_black() {
        let drawing =
            RgbaImage::from_fn(
                32,
                32,
                |x, _| {
                    if x < 16 { Rgba([0, 0, 0, 0]) } else { Rgba([0, 128, 0, 255]) }
                },
            );
        let mut png = Vec::new();
        image::codecs::png::PngEncoder::new(&mut png)
            .write_image(drawing.as_raw(), 32, 32, image::ExtendedColorType::Rgba8)
            .expect("encode");
        let out = decode(&process_photo(&png, &limits()).expect("accepted").jpeg);
        let paper = out.get_pixel(4, 16).0;
        assert!(paper.iter().all(|&c| c > 240), "transparent became {paper:?}");
    }

    // ---- Refused pictures: each a clear error, never a panic. ----

    #[rstest]
    #[case::png_claiming_100000_by_100000(png_bomb(), "photo_dimensions_too_large")]
    #[case::jpeg_claiming_60000_by_60000(jpeg_bomb(), "photo_dimensions_too_large")]
    #[case::truncated_jpeg({ let j = jpeg_of(&gradient(200, 150)); j[..j.len() / 2].to_vec() }, "photo_truncated")]
    #[case::jpeg_missing_only_its_end_marker({ let j = jpeg_of(&gradient(64, 48)); j[..j.len() - 2].to_vec() }, "photo_truncated")]
    #[case::truncated_png({ let p = png_of(&gradient(200, 150)); p[..p.len() / 2].to_vec() }, "photo_truncated")]
    #[case::gif_is_not_accepted(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(), "photo_unsupported_format")]
    #[case::text_named_photo(b"this is not a picture".to_vec(), "photo_unsupported_format")]
    #[case::empty(Vec::new(), "photo_empty")]
    #[case::png_signature_then_rubbish(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDRrubbish".to_vec(), "photo_truncated")]
    fn hostile_and_broken_files_are_refused_with_a_clear_error(#[case] input: Vec<u8>, #[case] code: &str) {
        let error = process_photo(&input, &limits()).expect_err("must be refused");
        assert_eq!(error.code(), code, "{error:?}");
        assert!(error.is_bad_input());
        assert!(!error.to_string().is_empty());
    }

    #[test]
    fn truncated_webp_is_refused() {
        let webp = webp_of(&gradient(200, 150));
        let error = process_photo(&webp[..webp.len() / 2], &limits()).expect_err("must be refused");
        assert!(matches!(error, PhotoError::Truncated | PhotoError::Corrupt { .. }), "{error:?}");
    }

    #[test]
    fn a_file_over_the_byte_limit_is_refused_before_decoding() {
        let small = PhotoLimits { max_bytes: 100, ..PhotoLimits::default() };
        let error = process_photo(&jpeg_of(&gradient(64, 48)), &small).expect_err("too big");
        assert!(matches!(error, PhotoError::TooLarge { max: 100, .. }));
    }

    #[test]
    fn a_picture_needing_more_memory_than_allowed_is_refused() {
        let tight = PhotoLimits { max_alloc: 64 * 1024, ..PhotoLimits::default() };
        let error = process_photo(&png_of(&gradient(400, 400)), &tight).expect_err("too much memory");
        assert_eq!(error, PhotoError::TooMuchMemory);
    }

    #[rstest]
    #[case::png_claiming_100000_by_100000(png_bomb(), 100_000, 100_000)]
    #[case::jpeg_claiming_60000_by_60000(jpeg_bomb(), 60_000, 60_000)]
    #[case::png_wider_than_allowed(png_of(&gradient(130, 20)), 130, 20)]
    fn a_picture_too_large_in_pixels_is_refused_with_its_real_dimensions(
        #[case] input: Vec<u8>,
        #[case] width: u32,
        #[case] height: u32,
    ) {
        let narrow = PhotoLimits { max_width: 120, max_height: 120, ..PhotoLimits::default() };
        let error = process_photo(&input, &narrow).expect_err("too large");
        assert_eq!(error, PhotoError::DimensionsTooLarge { width, height });
        assert_eq!(error.to_string(), format!("The picture is too large ({width}×{height} pixels)."));
    }

    #[test]
    fn a_picture_with_too_many_pixels_is_refused_whatever_its_shape() {
        let tight = PhotoLimits { max_pixels: 1_000, ..PhotoLimits::default() };
        let error = process_photo(&png_of(&gradient(50, 50)), &tight).expect_err("too many pixels");
        assert_eq!(error, PhotoError::DimensionsTooLarge { width: 50, height: 50 });
    }

    #[test]
    fn fit_within_keeps_shape_and_never_enlarges() {
        assert_eq!(fit_within(4000, 3000, 2048), (2048, 1536));
        assert_eq!(fit_within(3000, 4000, 2048), (1536, 2048));
        assert_eq!(fit_within(800, 600, 2048), (800, 600));
        assert_eq!(fit_within(10_000, 1, 2048), (2048, 1));
    }

    #[test]
    fn sha256_hex_is_lower_case_and_checkable() {
        let hash = sha256_hex(b"abc");
        assert_eq!(hash, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assert!(is_sha256_hex(&hash));
        assert!(!is_sha256_hex(&hash.to_uppercase()));
        assert!(!is_sha256_hex("abc"));
    }
}
