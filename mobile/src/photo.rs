//! Photos, made safe on the device before they are stored: resized, turned upright, and
//! re-encoded as JPEG so that every EXIF and GPS tag is left behind (a photo of a child's home
//! must not say where it was taken). The work is shared's [`shared::photo::process_photo`], the
//! same code the server runs on upload, so both hold the same bytes under the same SHA-256.
//!
//! The processed bytes are then sealed in the local store, keyed by that hash, and queued for
//! upload ([`crate::store::UnlockedStore::put_photo`]); the sync engine uploads them before it
//! pushes visits. The raw picture is never written anywhere.

use shared::photo::{PhotoLimits, ProcessedPhoto, process_photo};
use shared::visit::AttachmentRef;

use crate::store::{StoreError, UnlockedStore};

/// Why a photo could not be added.
#[derive(Debug, thiserror::Error)]
pub enum PhotoError {
    /// The picture itself was refused (not a picture, too big, damaged), in plain words.
    #[error(transparent)]
    Picture(#[from] shared::photo::PhotoError),
    /// The store could not keep it.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A photo ready to keep: clean JPEG bytes and their hash.
#[derive(Clone, PartialEq, Eq)]
pub struct Photo {
    /// SHA-256 of `bytes`, lower-case hex: the store key and the upload key.
    pub sha256: String,
    /// Always `image/jpeg`.
    pub media_type: String,
    /// The processed picture: upright, at most 2048 px on its longest edge, no metadata.
    pub bytes: Vec<u8>,
    /// A small JPEG for lists.
    pub thumbnail: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

impl std::fmt::Debug for Photo {
    // The bytes are a picture of a child's life: never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Photo")
            .field("sha256", &self.sha256)
            .field("bytes", &self.bytes.len())
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

impl From<ProcessedPhoto> for Photo {
    fn from(p: ProcessedPhoto) -> Self {
        Self {
            sha256: p.sha256,
            media_type: ProcessedPhoto::MEDIA_TYPE.to_owned(),
            bytes: p.jpeg,
            thumbnail: p.thumbnail,
            width: p.width,
            height: p.height,
        }
    }
}

/// Processes a picked or taken picture (CPU-heavy: call it off the UI thread, for example in
/// `tokio::task::spawn_blocking`).
pub fn process(raw: &[u8]) -> Result<Photo, shared::photo::PhotoError> {
    process_photo(raw, &PhotoLimits::default()).map(Photo::from)
}

/// Processes a picture, keeps the result sealed in the store and queues it for upload, and
/// returns the reference to put on the visit draft.
pub fn add_photo(
    store: &UnlockedStore,
    raw: &[u8],
    caption: impl Into<String>,
) -> Result<AttachmentRef, PhotoError> {
    let photo = process(raw)?;
    store.put_photo(&photo.sha256, &photo.media_type, &photo.bytes)?;
    tracing::info!(photo.sha256 = %photo.sha256, bytes = photo.bytes.len(), "photo processed and stored");
    Ok(AttachmentRef { sha256: photo.sha256, media_type: photo.media_type, caption: caption.into() })
}
