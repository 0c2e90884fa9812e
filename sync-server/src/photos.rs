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
//! **Keys are not capabilities.** Knowing a photo's SHA-256 gives nothing. A photo is served
//! ([`may_see_blob`]) to someone who may see a visit whose reference to it counts, or, before
//! any visit refers to it, to whoever uploaded its bytes. A reference counts when its pusher
//! had uploaded the bytes, or could see the photo when they pushed ([`attachment_errors`]
//! refuses any other). A repeated upload of a stored photo proves the sender holds the bytes,
//! is answered exactly as a first upload would be (nothing about the stored photo's uploader or
//! date), and makes the sender a holder too. Unfinished uploads are kept per worker, so nobody
//! learns of, or meddles with, another's.
//!
//! **Durability.** Each file is written to a temporary name, `fsync`ed, renamed into place, and
//! the directory `fsync`ed, before the upload is answered; the metadata goes into the store
//! and is flushed. A crash leaves either the old state or the new, never half a photo.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use shared::photo::{PhotoError, PhotoLimits, is_sha256_hex, process_photo, sha256_hex};
use shared::validation::FieldError;
use shared::{Role, Visit, Worker, WorkerId};

use crate::scope;
use crate::store::prelude::*;
use crate::store::{BlobRecord, BlobReference, StoreResult};

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
    /// Who uploaded it. Answered to an upload, this is always the caller: nobody is told who
    /// else sent the same photo.
    pub uploaded_by: WorkerId,
    /// When it was stored (answered to an upload: when the caller first uploaded it).
    pub stored_at: DateTime<Utc>,
}

impl From<BlobRecord> for BlobInfo {
    fn from(r: BlobRecord) -> Self {
        BlobInfo {
            sha256: r.sha256,
            stored_sha256: r.stored_sha256,
            media_type: r.media_type,
            uploaded_media_type: r.uploaded_media_type,
            width: r.width,
            height: r.height,
            bytes: r.bytes,
            thumbnail_width: r.thumbnail_width,
            thumbnail_height: r.thumbnail_height,
            uploaded_by: r.uploaded_by,
            stored_at: r.stored_at,
        }
    }
}

impl From<&BlobInfo> for BlobRecord {
    fn from(i: &BlobInfo) -> Self {
        BlobRecord {
            sha256: i.sha256.clone(),
            stored_sha256: i.stored_sha256.clone(),
            media_type: i.media_type.clone(),
            uploaded_media_type: i.uploaded_media_type.clone(),
            width: i.width,
            height: i.height,
            bytes: i.bytes,
            thumbnail_width: i.thumbnail_width,
            thumbnail_height: i.thumbnail_height,
            uploaded_by: i.uploaded_by,
            stored_at: i.stored_at,
        }
    }
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

    /// Each worker's unfinished upload of a key is their own.
    fn partial_path(&self, sha256: &str, uploader: WorkerId) -> PathBuf {
        self.dir.join("partial").join(format!("{uploader}-{sha256}"))
    }

    /// How many bytes of `uploader`'s unfinished upload are held.
    pub fn partial_len(&self, sha256: &str, uploader: WorkerId) -> u64 {
        if !is_sha256_hex(sha256) {
            return 0;
        }
        fs::metadata(self.partial_path(sha256, uploader)).map(|m| m.len()).unwrap_or(0)
    }

    /// Takes one piece of `uploader`'s upload (`range` is `None` for a whole body in one go).
    /// Returns the processed photo when the upload is complete, for the caller to record; when
    /// the photo is `already_held`, the complete bytes are only checked against the key (the
    /// proof that the uploader holds them), answered the same way up to that point.
    pub fn put(
        &self,
        sha256: &str,
        uploader: WorkerId,
        already_held: bool,
        range: Option<ContentRange>,
        body: &[u8],
    ) -> Result<PutOutcome, UploadError> {
        if !is_sha256_hex(sha256) {
            return Err(UploadError::BadKey);
        }
        let Some(range) = range else {
            return self.complete(sha256, already_held, body);
        };
        if range.end - range.start + 1 != body.len() as u64 {
            return Err(UploadError::BadRange("the body's length does not match the range"));
        }
        if range.total > self.limits.max_bytes as u64 {
            return Err(
                PhotoError::TooLarge { bytes: range.total as usize, max: self.limits.max_bytes }.into()
            );
        }
        let partial = self.partial_path(sha256, uploader);
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
        let result = self.complete(sha256, already_held, &whole);
        // Whether it was stored or refused, the pieces are done with: a refused upload starts
        // again from nothing.
        let _ = fs::remove_file(&partial);
        result
    }

    fn complete(&self, sha256: &str, already_held: bool, whole: &[u8]) -> Result<PutOutcome, UploadError> {
        if whole.len() > self.limits.max_bytes {
            return Err(PhotoError::TooLarge { bytes: whole.len(), max: self.limits.max_bytes }.into());
        }
        if sha256_hex(whole) != sha256 {
            return Err(UploadError::HashMismatch);
        }
        if already_held {
            // The same bytes as the stored photo's, which were processed without fault then.
            return Ok(PutOutcome::AlreadyHeld);
        }
        let photo = process_photo(whole, &self.limits)?;
        write_durably(&self.dir, &self.photo_path(sha256), &photo.jpeg)?;
        write_durably(&self.dir, &self.thumbnail_path(sha256), &photo.thumbnail)?;
        Ok(PutOutcome::Complete(photo))
    }
}

/// The result of [`BlobStore::put`].
#[derive(Debug)]
pub enum PutOutcome {
    /// Complete: the processed photo, now on disk.
    Complete(shared::photo::ProcessedPhoto),
    /// Complete, and the photo was stored already: the bytes matched their key.
    AlreadyHeld,
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

/// Whether `worker` uploaded the bytes of a photo: its first uploader, or anyone who sent the
/// same bytes since.
pub async fn is_holder(
    store: &dyn Store,
    sha256: &str,
    info: &BlobRecord,
    worker: WorkerId,
) -> StoreResult<bool> {
    Ok(info.uploaded_by == worker || store.blob_holder_since(sha256, worker).await?.is_some())
}

/// The children whose visits refer to a photo by references that count: made by someone who
/// had uploaded its bytes, or who could see it when they pushed. Anyone else's reference is
/// ignored, so naming a key in a visit gives nothing.
async fn counting_references(
    store: &dyn Store,
    sha256: &str,
    info: &BlobRecord,
) -> StoreResult<Vec<BlobReference>> {
    let mut counting = Vec::new();
    for reference in store.blob_references(sha256).await? {
        if reference.vouched || is_holder(store, sha256, info, reference.pushed_by).await? {
            counting.push(reference);
        }
    }
    Ok(counting)
}

/// Whether `worker` may see a stored photo on `today`: they may see a child one of whose visits
/// refers to it (by a reference that counts), or no visit refers to it yet and they uploaded
/// it. A visit held for a child unknown centrally counts for the managers who review it (a
/// senior manager, or the pusher's team manager).
pub async fn may_see_blob(
    store: &dyn Store,
    worker: &Worker,
    sha256: &str,
    info: &BlobRecord,
    today: chrono::NaiveDate,
) -> StoreResult<bool> {
    if worker.role == Role::Admin {
        return Ok(false);
    }
    let references = counting_references(store, sha256, info).await?;
    if references.is_empty() {
        return is_holder(store, sha256, info, worker.id).await;
    }
    for reference in references {
        let visible = match store.child(reference.child_id).await? {
            Some(child) => scope::can_see_child(store, worker, &child, today).await?,
            None => match worker.role {
                Role::SeniorManager => true,
                Role::TeamManager => {
                    worker.team.is_some()
                        && store.worker(reference.pushed_by).await?.and_then(|w| w.team) == worker.team
                }
                _ => false,
            },
        };
        if visible {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What the server tells someone who names a photo in a visit that they may not attach: the
/// same words whether the photo is stored or not, so it reveals nothing about it.
pub const NOT_YOURS_TO_ATTACH: &str =
    "Upload this photo from this account before sending the visit, or remove it from the visit.";

/// The attachments of a visit its pusher may not name: photos they did not upload and cannot
/// see now (a stored photo of a child outside their scope, or one not stored at all: the app
/// uploads a visit's photos before the visit). One error per attachment, naming
/// `attachments[i].sha256`, in the same words either way.
pub async fn attachment_errors(
    store: &dyn Store,
    pusher: &Worker,
    visit: &Visit,
    today: chrono::NaiveDate,
) -> StoreResult<Vec<FieldError>> {
    let mut errors = Vec::new();
    for (index, attachment) in visit.attachments.iter().enumerate() {
        let sha256 = &attachment.sha256;
        let allowed = match store.blob(sha256).await? {
            Some(info) => {
                is_holder(store, sha256, &info, pusher.id).await?
                    || may_see_blob(store, pusher, sha256, &info, today).await?
            }
            None => false,
        };
        if !allowed {
            errors.push(FieldError::new(format!("attachments[{index}].sha256"), NOT_YOURS_TO_ATTACH));
        }
    }
    Ok(errors)
}

/// Adds the writes recording that a stored visit revision refers to its photos. A reference by
/// someone who never uploaded the photo is marked as vouched for: [`attachment_errors`] let it
/// through only because they could see the photo.
pub async fn reference_writes(
    store: &dyn Store,
    tx: &mut dyn Transaction,
    visit: &Visit,
    pushed_by: WorkerId,
) -> StoreResult<()> {
    for attachment in &visit.attachments {
        let uploaded = match store.blob(&attachment.sha256).await? {
            Some(info) => is_holder(store, &attachment.sha256, &info, pushed_by).await?,
            None => false,
        };
        let reference = BlobReference {
            visit_id: visit.id,
            revision: visit.revision,
            child_id: visit.child_id,
            pushed_by,
            vouched: !uploaded,
        };
        tx.put_blob_reference(&attachment.sha256, &reference).await?;
    }
    Ok(())
}

/// Records, once, the photo references of visits stored before references were recorded. Such
/// a reference counts only if the visit's worker had uploaded the photo: nothing vouches for it.
pub async fn backfill_references(store: &dyn Store) -> StoreResult<()> {
    const DONE: &str = "blob-references-v1";
    if store.meta(DONE).await?.is_some() {
        return Ok(());
    }
    let mut tx = store.transaction().await?;
    for stored in store.all_visits().await? {
        let visit = &stored.visit;
        for attachment in &visit.attachments {
            let reference = BlobReference {
                visit_id: visit.id,
                revision: visit.revision,
                child_id: visit.child_id,
                pushed_by: visit.worker_id,
                vouched: false,
            };
            tx.put_blob_reference(&attachment.sha256, &reference).await?;
        }
    }
    tx.commit().await?;
    store.set_meta(DONE, b"done").await
}
