//! Photos, processed on the device before they are stored: resized, with EXIF and GPS
//! stripped, by `shared::photo::process_photo` (being written); then sealed in the local store
//! keyed by SHA-256 and queued for upload.
