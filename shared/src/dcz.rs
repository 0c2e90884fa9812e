//! Push bodies compressed against the protocol's own dictionary: the `dcz` content coding
//! of RFC 9842 (Compression Dictionary Transport), Zstandard with an external dictionary.
//!
//! **Why.** A lone visit is about 1.5 KB of JSON, and half of that is the same field names and
//! values in every visit. gzip has nothing earlier in so small a body to point back to, so it
//! left a lone visit at about 800 bytes, against the target of a third of the 1.9 KB a
//! CouchDB-protocol stack sends per document. Compressed against [`DICTIONARY`], which holds those
//! names and values and the commonest words of visit notes, the benchmark's lone visit is about
//! 560 bytes, and one written in ordinary sentences about 430. A large push repeats its own
//! field names visit after visit, so the dictionary adds little there, but Zstandard still makes
//! far fewer bytes than gzip at its fastest level, the level the app used: a 500-visit push is
//! about 112 KB against 178 KB. So the app sends every push this way, and gzip only to a server
//! older than the app.
//!
//! **The format** (RFC 9842): an 8-byte Zstandard skippable-frame header, the SHA-256
//! of the dictionary (32 bytes), then a Zstandard frame compressed with the dictionary. The hash
//! says which dictionary a body needs; a body naming another is refused, never guessed at.
//!
//! **The dictionary never changes.** It is part of the protocol: a phone compresses with the
//! one it was built with. One made later gets a new hash, and servers go on accepting this one
//! beside it. It holds the JSON shape of a push, with every id and every free-text value empty,
//! after a list of common words (said, school, mother, bedroom…): no names, nothing about any
//! child.

use std::cell::RefCell;
use std::io::Read;
use std::sync::LazyLock;

/// The `Content-Encoding` token (RFC 9842).
pub const CONTENT_ENCODING: &str = "dcz";

/// The dictionary: common words of visit notes, then the field names and values of a push (see
/// the module's note).
pub static DICTIONARY: &[u8] = include_bytes!("dcz-dictionary.txt");

/// SHA-256 of [`DICTIONARY`]; a test checks it.
pub const DICTIONARY_SHA256: [u8; 32] = [
    0x40, 0x51, 0xd7, 0x2e, 0xe0, 0xd1, 0xda, 0x02, 0x46, 0xab, 0xf2, 0xc9, 0x20, 0xb2, 0xd7, 0x4c, 0xcf,
    0x6b, 0x3f, 0x36, 0xd3, 0xac, 0x30, 0x1b, 0x64, 0xee, 0x5d, 0x1a, 0xfa, 0x26, 0xce, 0xb0,
];

/// From this size a body is compressed at a faster level (see [`encode`]).
pub const SMALL_BODY: usize = 64 * 1024;

/// The fixed header: a skippable frame (magic `0x184D2A5E`, little-endian) of 32 bytes.
const HEADER: [u8; 8] = [0x5e, 0x2a, 0x4d, 0x18, 0x20, 0x00, 0x00, 0x00];
/// The header and the dictionary's hash.
const PREFIX_LEN: usize = HEADER.len() + 32;
/// The level for a body under [`SMALL_BODY`]. Level 9: a lone visit comes out about 20 bytes
/// smaller than at the default level (3), for about 9 µs more here (15 µs in all, with the
/// thread's context reused; gzip takes 11 µs). On a weak signal the bytes cost more than the
/// microseconds.
const SMALL_LEVEL: i32 = 9;
/// The level for a body of [`SMALL_BODY`] or more: Zstandard's default. A 500-visit push
/// compresses in about 1.5 ms (gzip's fastest level took 1.1 ms) to about 112 KB (gzip: 178 KB),
/// and inflates in 0.34 ms (gzip: 0.49). Level 9 would make it 89 KB, but take about 24 ms.
const LARGE_LEVEL: i32 = 3;
/// The largest back-reference window a body may ask the decoder for (8 MiB), so a hostile body
/// cannot make the server set aside more.
const WINDOW_LOG_MAX: u32 = 23;

static SMALL_ENCODER: LazyLock<zstd::dict::EncoderDictionary<'static>> =
    LazyLock::new(|| zstd::dict::EncoderDictionary::copy(DICTIONARY, SMALL_LEVEL));
static LARGE_ENCODER: LazyLock<zstd::dict::EncoderDictionary<'static>> =
    LazyLock::new(|| zstd::dict::EncoderDictionary::copy(DICTIONARY, LARGE_LEVEL));
static DECODER: LazyLock<zstd::dict::DecoderDictionary<'static>> =
    LazyLock::new(|| zstd::dict::DecoderDictionary::copy(DICTIONARY));

/// Why a `dcz` body could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DczError {
    /// Shorter than its header, or without the header.
    #[error("the body does not start with a dcz header")]
    NoHeader,
    /// Compressed with a dictionary this side does not have.
    #[error("the body was compressed with a dictionary this server does not have")]
    UnknownDictionary,
    /// Larger, once decompressed, than the caller allows.
    #[error("the body is larger than {0} bytes once decompressed")]
    TooLarge(usize),
    /// Not a Zstandard frame, or cut short.
    #[error("the body is not valid Zstandard: {0}")]
    Corrupt(String),
}

thread_local! {
    /// A compression context per thread for each level: making one costs more than
    /// compressing a lone visit.
    static SMALL_COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    static LARGE_COMPRESSOR: RefCell<Option<zstd::bulk::Compressor<'static>>> = const { RefCell::new(None) };
    /// A decompression context per thread, for the same reason.
    static DECOMPRESSOR: RefCell<Option<zstd::bulk::Decompressor<'static>>> = const { RefCell::new(None) };
}

/// Compresses `body` against [`DICTIONARY`], with the `dcz` header: at level 9 under
/// [`SMALL_BODY`] bytes, at level 3 from there.
pub fn encode(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let (context, dictionary) = if body.len() < SMALL_BODY {
        (&SMALL_COMPRESSOR, &*SMALL_ENCODER)
    } else {
        (&LARGE_COMPRESSOR, &*LARGE_ENCODER)
    };
    context.with_borrow_mut(|compressor| {
        let compressor = match compressor {
            Some(compressor) => compressor,
            None => compressor.insert(zstd::bulk::Compressor::with_prepared_dictionary(dictionary)?),
        };
        let frame = compressor.compress(body)?;
        Ok([&HEADER[..], &DICTIONARY_SHA256, &frame].concat())
    })
}

/// Decompresses a `dcz` body made with [`DICTIONARY`], refusing one that would be larger than
/// `max` bytes before it has been inflated past that.
pub fn decode(body: &[u8], max: usize) -> Result<Vec<u8>, DczError> {
    let (prefix, frame) = body.split_at_checked(PREFIX_LEN).ok_or(DczError::NoHeader)?;
    let (header, hash) = prefix.split_at(HEADER.len());
    if header != HEADER {
        return Err(DczError::NoHeader);
    }
    if hash != DICTIONARY_SHA256 {
        return Err(DczError::UnknownDictionary);
    }
    let corrupt = |e: std::io::Error| DczError::Corrupt(e.to_string());
    // A frame that says how large it is (as `encode`'s do) is inflated in one call, into
    // exactly that much room; one that does not is streamed, up to `max`.
    if let Ok(Some(size)) = zstd::zstd_safe::get_frame_content_size(frame) {
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        if size > max {
            return Err(DczError::TooLarge(max));
        }
        return DECOMPRESSOR.with_borrow_mut(|decompressor| {
            let decompressor = match decompressor {
                Some(decompressor) => decompressor,
                None => {
                    let mut fresh =
                        zstd::bulk::Decompressor::with_prepared_dictionary(&DECODER).map_err(corrupt)?;
                    fresh.window_log_max(WINDOW_LOG_MAX).map_err(corrupt)?;
                    decompressor.insert(fresh)
                }
            };
            decompressor.decompress(frame, size).map_err(corrupt)
        });
    }
    let mut decoder =
        zstd::stream::read::Decoder::with_prepared_dictionary(frame, &DECODER).map_err(corrupt)?;
    decoder.window_log_max(WINDOW_LOG_MAX).map_err(corrupt)?;
    let mut out = Vec::with_capacity(frame.len().saturating_mul(3).min(max));
    let limit = u64::try_from(max).unwrap_or(u64::MAX).saturating_add(1);
    decoder.take(limit).read_to_end(&mut out).map_err(corrupt)?;
    if out.len() > max {
        return Err(DczError::TooLarge(max));
    }
    Ok(out)
}

/// Whether a `Content-Encoding` value names `dcz` (tokens are case-insensitive).
pub fn names_dcz(content_encoding: &str) -> bool {
    content_encoding.trim().eq_ignore_ascii_case(CONTENT_ENCODING)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A push as small as a lone visit: ids, times and a sentence.
    fn lone_push() -> Vec<u8> {
        let text = "She said school was fine but she does not like the walk home in the dark.";
        format!(
            r#"{{"protocol":1,"device_id":"4f1c2a9e-0b7d-4c55-9a51-2f3e8d6c1b0a","visits":[{{"id":"9b2e6f1a-3c4d-4e8f-a0b1-c2d3e4f5a6b7","revision":1,"status":"submitted","child_views":"{text}"}}]}}"#
        )
        .into_bytes()
    }

    #[test]
    fn the_hash_in_every_header_is_the_dictionarys() {
        use sha2::{Digest, Sha256};
        assert_eq!(<[u8; 32]>::from(Sha256::digest(DICTIONARY)), DICTIONARY_SHA256);
    }

    #[test]
    fn a_body_comes_back_as_it_was_sent() {
        let body = lone_push();
        let encoded = encode(&body).unwrap();
        assert_eq!(&encoded[..8], &HEADER);
        assert_eq!(decode(&encoded, body.len()).unwrap(), body);
    }

    #[test]
    fn a_body_larger_than_allowed_is_refused_before_it_is_all_inflated() {
        let body = vec![b' '; 1 << 20];
        let encoded = encode(&body).unwrap();
        assert!(encoded.len() < 1024, "a megabyte of spaces compresses to almost nothing");
        assert_eq!(decode(&encoded, 4096), Err(DczError::TooLarge(4096)));
        assert_eq!(decode(&encoded, body.len()).unwrap().len(), body.len());
    }

    /// A frame streamed without saying its size, as another client might send one, is read as
    /// far as the limit and no further; one asking for a window over 8 MiB is refused.
    #[test]
    fn a_streamed_frame_is_bounded_as_it_inflates_and_its_window_is_capped() {
        use std::io::Write;
        let streamed = |body: &[u8], window_log: u32| {
            let mut out = Vec::new();
            out.extend_from_slice(&HEADER);
            out.extend_from_slice(&DICTIONARY_SHA256);
            let mut encoder = zstd::stream::write::Encoder::with_dictionary(&mut out, 3, DICTIONARY).unwrap();
            encoder.set_parameter(zstd::zstd_safe::CParameter::WindowLog(window_log)).unwrap();
            encoder.write_all(body).unwrap();
            encoder.finish().unwrap();
            out
        };
        let body = lone_push();
        assert_eq!(decode(&streamed(&body, 20), body.len()).unwrap(), body);
        let spaces = vec![b' '; 1 << 20];
        assert_eq!(decode(&streamed(&spaces, 20), 4096), Err(DczError::TooLarge(4096)));
        let wide = streamed(&vec![b'x'; 1 << 25], 26);
        assert!(matches!(decode(&wide, 1 << 26), Err(DczError::Corrupt(_))));
    }

    #[test]
    fn a_body_naming_another_dictionary_is_refused() {
        let mut encoded = encode(&lone_push()).unwrap();
        encoded[HEADER.len()] ^= 0xff;
        assert_eq!(decode(&encoded, 1 << 20), Err(DczError::UnknownDictionary));
    }

    #[test]
    fn a_body_without_the_header_or_cut_short_is_refused() {
        let encoded = encode(&lone_push()).unwrap();
        assert_eq!(decode(&encoded[..20], 1 << 20), Err(DczError::NoHeader));
        assert_eq!(decode(&encoded[HEADER.len()..], 1 << 20), Err(DczError::NoHeader));
        assert!(matches!(decode(&encoded[..encoded.len() - 5], 1 << 20), Err(DczError::Corrupt(_))));
        let mut garbage = encoded[..PREFIX_LEN].to_vec();
        garbage.extend_from_slice(b"{\"not\":\"zstd\"}");
        assert!(matches!(decode(&garbage, 1 << 20), Err(DczError::Corrupt(_))));
    }

    #[test]
    fn the_token_is_read_without_regard_to_case() {
        assert!(names_dcz("dcz"));
        assert!(names_dcz(" DCZ "));
        assert!(!names_dcz("gzip"));
        assert!(!names_dcz("dcz, gzip"));
    }
}
