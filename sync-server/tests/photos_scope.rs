//! Photos obey scope (issue 10, item 1): a photo's SHA-256 key is not a capability. Each test is
//! one way the outside review got, or could have got, a photo it should not have.
//!
//! Evie (DEMO-0201) is tom.north's (team 2); sam.social is in team 1 and may not see her.

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::*;
use http_body_util::BodyExt;
use serde_json::Value;
use shared::photo::ProcessedPhoto;
use tower::ServiceExt;

struct PhotoWorld {
    world: World,
    _blobs: tempfile::TempDir,
}

async fn photo_world() -> PhotoWorld {
    let blobs = tempfile::tempdir().expect("blob dir");
    PhotoWorld { world: World::with_config(config_with_photos(blobs.path())).await, _blobs: blobs }
}

/// Tom uploads a photo and pushes a visit to Evie naming it.
async fn toms_photo_of_evie(world: &World) -> ProcessedPhoto {
    let tom = world.login("tom.north").await;
    let photo = test_photo(7);
    world.upload(&tom, &photo).await;
    let mut v = visit(world.child("DEMO-0201").await.id, tom.worker_id());
    v.attachments.push(attachment(&photo));
    assert_eq!(outcome(&world.push_outcomes(&tom, &[v]).await[0]), "accepted");
    photo
}

/// Sends a request, answering the status, the headers and the body as JSON (or null).
async fn raw(
    world: &World,
    method: Method,
    path: &str,
    token: &str,
    range: Option<String>,
    body: Vec<u8>,
) -> (StatusCode, axum::http::HeaderMap, Value) {
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "image/jpeg");
    if let Some(range) = range {
        builder = builder.header(header::CONTENT_RANGE, range);
    }
    let response = world.app.clone().oneshot(builder.body(Body::from(body)).unwrap()).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, headers, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn attaching_someone_elses_photo_to_your_own_visit_is_refused_and_gets_you_nothing() {
    let PhotoWorld { world, _blobs } = photo_world().await;
    let photo = toms_photo_of_evie(&world).await;
    let sam = world.login("sam.social").await;
    // Sam learnt the key somehow (it is in every pull of Evie's visit).
    let mut mine = visit(world.child("DEMO-0002").await.id, sam.worker_id());
    mine.attachments.push(attachment(&photo));
    let results = world.push_outcomes(&sam, std::slice::from_ref(&mine)).await;
    assert_eq!(outcome(&results[0]), "rejected");
    assert_eq!(results[0]["errors"][0]["field"], "attachments[0].sha256");
    assert!(world.state.store().latest_revision(mine.id).await.unwrap().is_none(), "nothing stored");
    let (status, _) = world.get(&format!("/api/blobs/{}", photo.sha256), sam.access()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = world.get(&format!("/api/blobs/{}/thumbnail", photo.sha256), sam.access()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_duty_worker_loses_the_photo_when_the_cover_ends_even_knowing_its_key() {
    let PhotoWorld { world, _blobs } = photo_world().await;
    let photo = toms_photo_of_evie(&world).await;
    let evie = world.child("DEMO-0201").await;
    let dana = world.login("dana.duty").await;
    let path = format!("/api/blobs/{}", photo.sha256);

    let mut cover = world.cover(evie.id, "dana.duty", -3, 1).await;
    assert_eq!(world.get(&path, dana.access()).await.0, StatusCode::OK, "during the cover");

    cover.ends_on = world.today().pred_opt().unwrap();
    world.state.store().put_cover(&cover).await.unwrap();
    assert_eq!(world.get(&path, dana.access()).await.0, StatusCode::NOT_FOUND, "after the cover");
    // Naming it in a visit to a child of her own does not bring it back.
    let own = world.state.store().children_of_key_worker(dana.worker_id()).await.unwrap();
    let mut mine = visit(own.first().copied().unwrap_or(evie.id), dana.worker_id());
    mine.attachments.push(attachment(&photo));
    assert_eq!(outcome(&world.push_outcomes(&dana, &[mine]).await[0]), "rejected");
    assert_eq!(world.get(&path, dana.access()).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_uploader_sees_their_photo_until_a_visit_names_it_then_only_through_scope() {
    let PhotoWorld { world, _blobs } = photo_world().await;
    let tom = world.login("tom.north").await;
    let sam = world.login("sam.social").await;
    let photo = test_photo(9);
    world.upload(&tom, &photo).await;
    let path = format!("/api/blobs/{}", photo.sha256);
    assert_eq!(world.get(&path, tom.access()).await.0, StatusCode::OK, "the uploader, no visit yet");
    assert_eq!(world.get(&path, sam.access()).await.0, StatusCode::NOT_FOUND, "anyone else");

    let mut v = visit(world.child("DEMO-0201").await.id, tom.worker_id());
    v.attachments.push(attachment(&photo));
    assert_eq!(outcome(&world.push_outcomes(&tom, &[v]).await[0]), "accepted");
    let mo = world.login("mo.manager").await;
    assert_eq!(world.get(&path, mo.access()).await.0, StatusCode::OK, "tom's manager, through Evie");
    let tara = world.login("tara.manager").await;
    assert_eq!(world.get(&path, tara.access()).await.0, StatusCode::NOT_FOUND, "another team's manager");
}

#[tokio::test]
async fn uploading_a_stored_photo_again_reveals_nothing_about_it() {
    let PhotoWorld { world, _blobs } = photo_world().await;
    let photo = toms_photo_of_evie(&world).await;
    let toms = world.state.store().blob(&photo.sha256).await.unwrap().unwrap();
    let sam = world.login("sam.social").await;
    let stored = format!("/api/blobs/{}", photo.sha256);
    let unknown_key = shared::photo::sha256_hex(b"a photo nobody has sent");
    let unknown = format!("/api/blobs/{unknown_key}");

    // Without the bytes, a stored key gets exactly the answer a key never sent gets.
    for body in [Vec::new(), b"guessing".to_vec(), photo.jpeg[..100].to_vec()] {
        let (status, headers, answer) =
            raw(&world, Method::PUT, &stored, sam.access(), None, body.clone()).await;
        let (status_unknown, headers_unknown, answer_unknown) =
            raw(&world, Method::PUT, &unknown, sam.access(), None, body).await;
        assert_eq!((status, &answer), (status_unknown, &answer_unknown));
        assert_eq!(headers.get("upload-offset"), headers_unknown.get("upload-offset"));
        assert!(status.is_client_error(), "{status}: {answer}");
        let text = answer.to_string();
        assert!(!text.contains(&toms.uploaded_by.to_string()) && !text.contains("\"width\""), "{text}");
    }
    // A first piece of a stored key is taken like any other, saying only what sam sent.
    let total = photo.jpeg.len();
    let (status, headers, _) = raw(
        &world,
        Method::PUT,
        &stored,
        sam.access(),
        Some(format!("bytes 0-9/{total}")),
        photo.jpeg[..10].to_vec(),
    )
    .await;
    assert_eq!((status, headers["upload-offset"].to_str().unwrap()), (StatusCode::ACCEPTED, "10"));

    // With the bytes (sam has them: he proves it), the answer is a first upload's, about sam.
    let (status, _, answer) = raw(&world, Method::PUT, &stored, sam.access(), None, photo.jpeg.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["uploaded_by"], sam.worker_id().to_string());
    assert_ne!(answer["stored_at"], serde_json::to_value(toms.stored_at).unwrap());
    assert_eq!(answer["width"], toms.width, "what the bytes themselves say");
    // Holding the bytes is not seeing Evie's visit: the photo is still not served to him…
    assert_eq!(world.get(&stored, sam.access()).await.0, StatusCode::NOT_FOUND);
    // …but he may attach what he holds to a visit of his own, and then see it through it.
    let mut mine = visit(world.child("DEMO-0002").await.id, sam.worker_id());
    mine.attachments.push(attachment(&photo));
    assert_eq!(outcome(&world.push_outcomes(&sam, &[mine]).await[0]), "accepted");
    assert_eq!(world.get(&stored, sam.access()).await.0, StatusCode::OK);
}

#[tokio::test]
async fn another_workers_unfinished_upload_is_neither_shown_nor_disturbed() {
    let PhotoWorld { world, _blobs } = photo_world().await;
    let tom = world.login("tom.north").await;
    let sam = world.login("sam.social").await;
    let photo = test_photo(11);
    let (bytes, total) = (photo.jpeg.clone(), photo.jpeg.len());
    let half = total / 2;
    let path = format!("/api/blobs/{}", photo.sha256);
    let piece =
        |from: usize, to: usize| (Some(format!("bytes {from}-{}/{total}", to - 1)), bytes[from..to].to_vec());

    let (range, body) = piece(0, half);
    let (status, _, _) = raw(&world, Method::PUT, &path, tom.access(), range, body).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    // Sam asks about the key: nothing says tom's upload is under way.
    let (status, headers, _) = raw(&world, Method::HEAD, &path, sam.access(), None, vec![]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(headers.get("upload-offset").is_none());
    // Sam sends the second half as if continuing: it is not added to tom's upload.
    let (range, body) = piece(half, total);
    let (status, headers, _) = raw(&world, Method::PUT, &path, sam.access(), range, body).await;
    assert_eq!((status, headers["upload-offset"].to_str().unwrap()), (StatusCode::CONFLICT, "0"));
    // Tom carries on from where he was.
    let (status, headers, _) = raw(&world, Method::HEAD, &path, tom.access(), None, vec![]).await;
    assert_eq!(
        (status, headers["upload-offset"].to_str().unwrap()),
        (StatusCode::NOT_FOUND, half.to_string().as_str())
    );
    let (range, body) = piece(half, total);
    let (status, _, answer) = raw(&world, Method::PUT, &path, tom.access(), range, body).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
}
