//! Authentication: every rejection the issue names, refresh rotation, remote wipe, and the
//! sign-in rate limit.

mod common;

use axum::http::{Method, StatusCode};
use base64::Engine;
use common::{SECRET, World};
use serde_json::json;
use shared::DeviceId;
use sync_server::auth::{ACCESS_TYPE, AUDIENCE, Claims, ISSUER};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn claims_for(session: &common::Session) -> Claims {
    let now = chrono::Utc::now().timestamp() as u64;
    Claims {
        sub: session.worker_id().to_string(),
        role: session.tokens.worker.role,
        did: session.device_id,
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        exp: now + 600,
        iat: now,
        typ: ACCESS_TYPE.into(),
    }
}

async fn children_status(world: &World, token: &str) -> (StatusCode, String) {
    let (status, body) = world.get("/api/children", token).await;
    (status, body["error"].as_str().unwrap_or_default().to_owned())
}

#[tokio::test]
async fn a_fresh_access_token_works() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let (status, body) = world.get("/api/children", sam.access()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body.as_array().unwrap().len(), 12, "sam's demo caseload");
    let ttl = sam.tokens.access_expires_at - chrono::Utc::now();
    assert!(ttl <= chrono::Duration::minutes(15), "access tokens live at most 15 minutes");
}

#[tokio::test]
async fn a_tampered_token_is_refused() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let parts: Vec<&str> = sam.access().split('.').collect();
    let mut claims = claims_for(&sam);
    claims.role = shared::Role::SeniorManager;
    let forged = format!("{}.{}.{}", parts[0], b64(&serde_json::to_vec(&claims).unwrap()), parts[2]);
    assert_eq!(children_status(&world, &forged).await, (StatusCode::UNAUTHORIZED, "unauthorized".into()));
}

#[tokio::test]
async fn an_expired_token_is_refused() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let mut claims = claims_for(&sam);
    claims.exp = chrono::Utc::now().timestamp() as u64 - 120;
    let token = world.state.keys().sign_for_tests(&claims);
    assert_eq!(children_status(&world, &token).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_unsigned_alg_none_token_is_refused() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let header = b64(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64(&serde_json::to_vec(&claims_for(&sam)).unwrap());
    for token in [format!("{header}.{payload}."), format!("{header}.{payload}")] {
        assert_eq!(children_status(&world, &token).await.0, StatusCode::UNAUTHORIZED);
    }
}

#[tokio::test]
async fn a_token_signed_with_another_algorithm_is_refused() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &claims_for(&sam),
        &jsonwebtoken::EncodingKey::from_secret(SECRET),
    )
    .unwrap();
    assert_eq!(children_status(&world, &token).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn wrong_audience_wrong_issuer_wrong_type_and_missing_subject_are_refused() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let mut wrong_aud = claims_for(&sam);
    wrong_aud.aud = "another-api".into();
    let mut wrong_iss = claims_for(&sam);
    wrong_iss.iss = "someone-else".into();
    let mut wrong_typ = claims_for(&sam);
    wrong_typ.typ = "refresh".into();
    for claims in [wrong_aud, wrong_iss, wrong_typ] {
        let token = world.state.keys().sign_for_tests(&claims);
        assert_eq!(children_status(&world, &token).await.0, StatusCode::UNAUTHORIZED, "{claims:?}");
    }
    let mut no_sub = serde_json::to_value(claims_for(&sam)).unwrap();
    no_sub.as_object_mut().unwrap().remove("sub");
    let token = world.state.keys().sign_for_tests(&no_sub);
    assert_eq!(children_status(&world, &token).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_refresh_token_is_not_an_access_token_and_the_reverse() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    assert_eq!(children_status(&world, &sam.tokens.refresh_token).await.0, StatusCode::UNAUTHORIZED);
    let (status, _) = world
        .call(
            Method::POST,
            "/api/auth/refresh",
            None,
            Some(json!({"refresh_token": sam.access(), "device_id": sam.device_id})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_refresh_token_ends_the_chain() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let refresh = |token: String| {
        let world = &world;
        let device = sam.device_id;
        async move {
            world
                .call(
                    Method::POST,
                    "/api/auth/refresh",
                    None,
                    Some(json!({"refresh_token": token, "device_id": device})),
                )
                .await
        }
    };
    let (status, first) = refresh(sam.tokens.refresh_token.clone()).await;
    assert_eq!(status, StatusCode::OK);
    let next = first["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(next, sam.tokens.refresh_token, "rotated");
    assert_eq!(world.get("/api/children", first["access_token"].as_str().unwrap()).await.0, StatusCode::OK);

    // The old token again: someone copied it. The chain ends, including the newest token.
    assert_eq!(refresh(sam.tokens.refresh_token.clone()).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(next).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_revoked_device_is_told_to_wipe_on_every_request() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let admin = world.login("adam.admin").await;
    let (status, _) =
        world.post(&format!("/api/admin/devices/{}/revoke", sam.device_id), admin.access(), json!({})).await;
    assert_eq!(status, StatusCode::OK);

    assert_eq!(children_status(&world, sam.access()).await, (StatusCode::GONE, "wipe".into()));
    let (status, body) = world.get("/api/sync/pull", sam.access()).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::GONE, Some("wipe")));
    let (status, body) = world
        .call(
            Method::POST,
            "/api/auth/refresh",
            None,
            Some(json!({"refresh_token": sam.tokens.refresh_token, "device_id": sam.device_id})),
        )
        .await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::GONE, Some("wipe")));
    let (status, body) = world.try_login("sam.social", sync_server::demo::DEMO_PASSWORD, sam.device_id).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::GONE, Some("wipe")));

    // Another device of the same worker is unaffected.
    let phone = world.login("sam.social").await;
    assert_eq!(children_status(&world, phone.access()).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_team_manager_cannot_revoke_another_teams_device() {
    let world = World::new().await;
    let tom = world.login("tom.north").await;
    let tara = world.login("tara.manager").await;
    let (status, body) =
        world.post(&format!("/api/admin/devices/{}/revoke", tom.device_id), tara.access(), json!({})).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    assert_eq!(children_status(&world, tom.access()).await.0, StatusCode::OK);
}

#[tokio::test]
async fn changing_the_password_revokes_refresh_tokens() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let admin = world.login("adam.admin").await;
    let (status, _) = world
        .call(
            Method::PUT,
            &format!("/api/admin/accounts/{}/password", sam.worker_id()),
            Some(admin.access()),
            Some(json!({"new_password": "a brand new passphrase"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = world
        .call(
            Method::POST,
            "/api/auth/refresh",
            None,
            Some(json!({"refresh_token": sam.tokens.refresh_token, "device_id": sam.device_id})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        world.try_login("sam.social", sync_server::demo::DEMO_PASSWORD, DeviceId::new()).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        world.try_login("sam.social", "a brand new passphrase", DeviceId::new()).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn logout_ends_the_refresh_token() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    assert_eq!(world.post("/api/auth/logout", sam.access(), json!({})).await.0, StatusCode::NO_CONTENT);
    let (status, _) = world
        .call(
            Method::POST,
            "/api/auth/refresh",
            None,
            Some(json!({"refresh_token": sam.tokens.refresh_token, "device_id": sam.device_id})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn five_failed_sign_ins_lock_the_account_for_a_while() {
    let world = World::new().await;
    for _ in 0..5 {
        let (status, body) = world.try_login("sam.social", "wrong password", DeviceId::new()).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("unauthorized")));
    }
    // Even the right password is refused now, with a 429.
    let (status, body) =
        world.try_login("sam.social", sync_server::demo::DEMO_PASSWORD, DeviceId::new()).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts")));
    // Another account is not locked by sam's failures.
    assert_eq!(
        world.try_login("dana.duty", sync_server::demo::DEMO_PASSWORD, DeviceId::new()).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn unknown_users_and_wrong_passwords_get_the_same_answer() {
    let world = World::new().await;
    let unknown = world.try_login("nobody.here", "whatever password", DeviceId::new()).await;
    let wrong = world.try_login("sam.social", "whatever password", DeviceId::new()).await;
    assert_eq!(unknown, wrong);
}
