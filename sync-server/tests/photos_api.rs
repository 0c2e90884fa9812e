//! Photo uploads through the API: keyed by SHA-256, processed, resumable, idempotent, and
//! hostile files refused with a clear 4xx. The pictures are made here.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::*;
use http_body_util::BodyExt;
use image::{ImageEncoder, Rgb, RgbImage};
use serde_json::Value;
use shared::AttachmentRef;
use shared::photo::{PhotoLimits, process_photo, sha256_hex};
use sync_server::Config;
use tower::ServiceExt;

fn picture(width: u32, height: u32) -> RgbImage {
    RgbImage::from_fn(width, height, |x, y| Rgb([(x % 256) as u8, (y % 256) as u8, ((x * y) % 256) as u8]))
}

fn jpeg(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 90)
        .encode(image.as_raw(), image.width() as u16, image.height() as u16, jpeg_encoder::ColorType::Rgb)
        .unwrap();
    out
}

fn png(image: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(image.as_raw(), image.width(), image.height(), image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

struct PhotoWorld {
    world: World,
    _dir: tempfile::TempDir,
}

async fn world() -> PhotoWorld {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.oversight.blob_dir = Some(dir.path().to_owned());
    config.oversight.photo_limits = PhotoLimits { max_bytes: 2 * 1024 * 1024, ..PhotoLimits::default() };
    PhotoWorld { world: World::with_config(config).await, _dir: dir }
}

async fn send(
    world: &World,
    method: Method,
    path: &str,
    token: &str,
    content_type: &str,
    range: Option<String>,
    body: Vec<u8>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type);
    if let Some(range) = range {
        builder = builder.header(header::CONTENT_RANGE, range);
    }
    let response = world.app.clone().oneshot(builder.body(Body::from(body)).unwrap()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, bytes)
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

#[tokio::test]
async fn a_processed_photo_is_stored_under_its_hash_and_served_back() {
    let PhotoWorld { world, _dir } = world().await;
    let sam = world.login("sam.social").await;
    // As the app does: process on the device, then upload the result under its hash.
    let photo = process_photo(&jpeg(&picture(3000, 1000)), &PhotoLimits::default()).unwrap();
    let path = format!("/api/blobs/{}", photo.sha256);
    let (status, _, body) =
        send(&world, Method::PUT, &path, sam.access(), "image/jpeg", None, photo.jpeg.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{}", json(&body));
    let info = json(&body);
    assert_eq!(info["stored_sha256"], photo.sha256.as_str(), "stored byte for byte");
    assert_eq!((info["width"].as_u64(), info["height"].as_u64()), (Some(2048), Some(683)));

    // Sent again (a lost answer): the same record, nothing changed.
    let (status, _, again) =
        send(&world, Method::PUT, &path, sam.access(), "image/jpeg", None, photo.jpeg.clone()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json(&again), info);

    let (status, headers, bytes) =
        send(&world, Method::GET, &path, sam.access(), "image/jpeg", None, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(sha256_hex(&bytes), photo.sha256);
    let (status, _, thumb) =
        send(&world, Method::GET, &format!("{path}/thumbnail"), sam.access(), "", None, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(image::load_from_memory(&thumb).unwrap().width(), 320);

    // Someone with no visit naming it cannot see it.
    let tom = world.login("tom.north").await;
    let (status, _, _) = send(&world, Method::GET, &path, tom.access(), "", None, vec![]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_raw_png_named_jpeg_is_processed_and_its_metadata_dropped() {
    let PhotoWorld { world, _dir } = world().await;
    let sam = world.login("sam.social").await;
    let raw = png(&picture(100, 60));
    let key = sha256_hex(&raw);
    let (status, _, body) =
        send(&world, Method::PUT, &format!("/api/blobs/{key}"), sam.access(), "image/jpeg", None, raw).await;
    assert_eq!(status, StatusCode::CREATED, "{}", json(&body));
    let info = json(&body);
    assert_eq!(info["uploaded_media_type"], "image/png");
    assert_eq!(info["media_type"], "image/jpeg");
    assert_ne!(info["stored_sha256"], key.as_str(), "re-encoded, so the stored bytes differ");
}

#[rstest::rstest]
#[case::bytes_not_matching_their_key(None, StatusCode::BAD_REQUEST, "hash_mismatch")]
#[case::decompression_bomb(Some("bomb"), StatusCode::UNPROCESSABLE_ENTITY, "photo_dimensions_too_large")]
#[case::truncated(Some("truncated"), StatusCode::UNPROCESSABLE_ENTITY, "photo_truncated")]
#[case::not_a_picture(Some("gif"), StatusCode::UNSUPPORTED_MEDIA_TYPE, "photo_unsupported_format")]
#[tokio::test]
async fn bad_uploads_are_refused_with_a_clear_4xx(
    #[case] kind: Option<&str>,
    #[case] expected: StatusCode,
    #[case] code: &str,
) {
    let PhotoWorld { world, _dir } = world().await;
    let sam = world.login("sam.social").await;
    let body = match kind {
        None => jpeg(&picture(40, 40)),
        Some("bomb") => {
            // A JPEG claiming 60,000 × 60,000 pixels.
            let mut j = jpeg(&picture(16, 16));
            let sof = j.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
            j[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
            j
        }
        Some("truncated") => {
            let j = jpeg(&picture(200, 200));
            j[..j.len() / 2].to_vec()
        }
        _ => b"GIF89a\x01\x00\x01\x00\x00\x00\x00;".to_vec(),
    };
    let key = if kind.is_none() { sha256_hex(b"something else") } else { sha256_hex(&body) };
    let (status, _, answer) =
        send(&world, Method::PUT, &format!("/api/blobs/{key}"), sam.access(), "image/jpeg", None, body).await;
    assert_eq!(status, expected, "{}", json(&answer));
    let answer = json(&answer);
    assert_eq!(answer["error"], code);
    assert!(!answer["message"].as_str().unwrap().is_empty());
    assert!(world.state.store().blob(&key).await.unwrap().is_none(), "nothing stored");
}

#[tokio::test]
async fn an_upload_in_pieces_resumes_from_what_the_server_holds() {
    let PhotoWorld { world, _dir } = world().await;
    let sam = world.login("sam.social").await;
    let photo = process_photo(&jpeg(&picture(900, 700)), &PhotoLimits::default()).unwrap();
    let bytes = photo.jpeg.clone();
    let total = bytes.len();
    let path = format!("/api/blobs/{}", photo.sha256);
    let third = total / 3;
    let range = |start: usize, end: usize| Some(format!("bytes {start}-{}/{total}", end - 1));

    let (status, headers, _) = send(
        &world,
        Method::PUT,
        &path,
        sam.access(),
        "image/jpeg",
        range(0, third),
        bytes[..third].to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert_eq!(headers["upload-offset"], third.to_string().as_str());
    // The connection dropped; the device asks how far it got.
    let (status, headers, _) = send(&world, Method::HEAD, &path, sam.access(), "", None, vec![]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["upload-offset"], third.to_string().as_str());
    // A piece from the wrong place is refused, saying where to resume.
    let (status, headers, _) = send(
        &world,
        Method::PUT,
        &path,
        sam.access(),
        "image/jpeg",
        range(2 * third, total),
        bytes[2 * third..].to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(headers["upload-offset"], third.to_string().as_str());
    // The rest, in order.
    let (status, _, _) = send(
        &world,
        Method::PUT,
        &path,
        sam.access(),
        "image/jpeg",
        range(third, 2 * third),
        bytes[third..2 * third].to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, _, body) = send(
        &world,
        Method::PUT,
        &path,
        sam.access(),
        "image/jpeg",
        range(2 * third, total),
        bytes[2 * third..].to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{}", json(&body));
    let (status, _, stored) = send(&world, Method::GET, &path, sam.access(), "", None, vec![]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stored, bytes);
}

#[tokio::test]
async fn a_visit_naming_a_photo_not_yet_uploaded_is_refused_and_accepted_once_it_is() {
    let PhotoWorld { world, _dir } = world().await;
    let sam = world.login("sam.social").await;
    let photo = process_photo(&jpeg(&picture(64, 64)), &PhotoLimits::default()).unwrap();
    let child = world.child("DEMO-0002").await;
    let mut v = visit(child.id, sam.worker_id());
    v.attachments.push(AttachmentRef {
        sha256: photo.sha256.clone(),
        media_type: "image/jpeg".into(),
        caption: "Child's drawing".into(),
    });
    // The app uploads a visit's photos first; a visit naming one the server lacks is refused,
    // naming the attachment, and nothing is stored.
    let results = world.push_outcomes(&sam, std::slice::from_ref(&v)).await;
    assert_eq!(outcome(&results[0]), "rejected");
    assert_eq!(results[0]["errors"][0]["field"], "attachments[0].sha256");
    assert!(world.state.store().latest_revision(v.id).await.unwrap().is_none());

    let (status, _, _) = send(
        &world,
        Method::PUT,
        &format!("/api/blobs/{}", photo.sha256),
        sam.access(),
        "image/jpeg",
        None,
        photo.jpeg.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(outcome(&world.push_outcomes(&sam, std::slice::from_ref(&v)).await[0]), "accepted");
    let path = format!("/api/visits/{}/missing-blobs", v.id);
    let (status, missing) = world.get(&path, sam.access()).await;
    assert_eq!((status, missing), (StatusCode::OK, serde_json::json!([])));

    // The team manager can see the photo, through the visit to a child of their team.
    let tara = world.login("tara.manager").await;
    let (status, _, _) =
        send(&world, Method::GET, &format!("/api/blobs/{}", photo.sha256), tara.access(), "", None, vec![])
            .await;
    assert_eq!(status, StatusCode::OK);
    // Another team's worker cannot even ask about the visit.
    let tom = world.login("tom.north").await;
    let (status, _) = world.get(&path, tom.access()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
