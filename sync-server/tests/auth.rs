//! Authentication: every rejection the issue names, refresh rotation, remote wipe, the sign-in
//! rate limit, sessions that end when the worker says so, devices that belong to their worker,
//! and password guessing through the password change (issue 10, items 2 to 4).

mod common;
mod sled_support;

use axum::http::{Method, StatusCode};
use base64::Engine;
use common::{SECRET, World};
use rstest::rstest;
use serde_json::json;
use shared::DeviceId;
use sync_server::auth::{ACCESS_TYPE, AUDIENCE, Claims, ISSUER, LEEWAY_SECS};
use sync_server::demo::DEMO_PASSWORD;

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
        sv: 1,
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
async fn failed_sign_ins_count_across_servers_sharing_a_store_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let store = sync_server::store::open(dir.path()).unwrap();
    let (first, second) = (World::over(store.clone()).await, World::over(store.clone()).await);
    // Five wrong passwords, sent to one server and then the other (no sticky sessions).
    for world in [&first, &second, &first, &second, &first] {
        let (status, _) = world.try_login("sam.social", "wrong password", DeviceId::new()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    for world in [&first, &second] {
        let (status, body) = world.try_login("sam.social", DEMO_PASSWORD, DeviceId::new()).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts"))
        );
    }
    // Both servers restart: the failures are still counted.
    drop((first, second, store));
    let restarted = World::over(sled_support::reopen(dir.path())).await;
    let (status, _) = restarted.try_login("sam.social", DEMO_PASSWORD, DeviceId::new()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "a restart is not a way round the lockout");
    assert_eq!(restarted.try_login("dana.duty", DEMO_PASSWORD, DeviceId::new()).await.0, StatusCode::OK);
}

/// Twenty wrong passwords sent all at once, to two servers sharing a store, check no more than
/// five: the rest are refused before any password is checked. Before, each server read the count,
/// spent 50 ms checking the password, and only then counted the failure, so a burst sent at once
/// was never limited at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_guesses_sent_at_once_to_two_servers_checks_no_more_than_five() {
    let dir = tempfile::tempdir().unwrap();
    let store = sync_server::store::open(dir.path()).unwrap();
    let (first, second) = (World::over(store.clone()).await, World::over(store.clone()).await);
    let guesses = (0..20).map(|n| {
        let world = if n % 2 == 0 { &first } else { &second };
        world.try_login("sam.social", "wrong password guess", DeviceId::new())
    });
    let answers = futures::future::join_all(guesses).await;
    let checked = answers.iter().filter(|(status, _)| *status == StatusCode::UNAUTHORIZED).count();
    let refused = answers.iter().filter(|(status, _)| *status == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, refused), (5, 15), "{answers:?}");
    let (status, _) = first.try_login("sam.social", DEMO_PASSWORD, DeviceId::new()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "locked, even with the right password");
}

/// A right password is no failure: signing in again and again never locks an account.
#[tokio::test]
async fn signing_in_again_and_again_never_locks_the_account() {
    let world = World::new().await;
    for _ in 0..8 {
        let (status, body) = world.try_login("sam.social", DEMO_PASSWORD, DeviceId::new()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
}

#[tokio::test]
async fn unknown_users_and_wrong_passwords_get_the_same_answer() {
    let world = World::new().await;
    let unknown = world.try_login("nobody.here", "whatever password", DeviceId::new()).await;
    let wrong = world.try_login("sam.social", "whatever password", DeviceId::new()).await;
    assert_eq!(unknown, wrong);
}

// ---- Sessions end when the worker says so (item 3). ----

async fn refresh_status(world: &World, session: &common::Session) -> StatusCode {
    world
        .call(
            Method::POST,
            "/api/auth/refresh",
            None,
            Some(json!({"refresh_token": session.tokens.refresh_token, "device_id": session.device_id})),
        )
        .await
        .0
}

async fn change_password(
    world: &World,
    token: &str,
    worker: shared::WorkerId,
    body: serde_json::Value,
) -> (StatusCode, serde_json::Value) {
    world.call(Method::PUT, &format!("/api/admin/accounts/{worker}/password"), Some(token), Some(body)).await
}

#[tokio::test]
async fn after_logout_the_access_token_is_refused_at_once() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let phone = world.login("sam.social").await;
    assert_eq!(world.post("/api/auth/logout", sam.access(), json!({})).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        children_status(&world, sam.access()).await,
        (StatusCode::UNAUTHORIZED, "unauthorized".into())
    );
    assert_eq!(refresh_status(&world, &sam).await, StatusCode::UNAUTHORIZED);
    // Signing out one device leaves the worker's other device signed in.
    assert_eq!(children_status(&world, phone.access()).await.0, StatusCode::OK);
}

#[tokio::test]
async fn signing_in_again_on_the_same_device_ends_the_earlier_session() {
    let world = World::new().await;
    let first = world.login("sam.social").await;
    let (status, body) = world.try_login("sam.social", DEMO_PASSWORD, first.device_id).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let second = body["access_token"].as_str().unwrap();
    assert_eq!(children_status(&world, first.access()).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(children_status(&world, second).await.0, StatusCode::OK);
}

#[tokio::test]
async fn after_a_password_change_the_access_token_is_refused_even_within_the_same_second() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let admin = world.login("adam.admin").await;
    let (status, _) = change_password(
        &world,
        admin.access(),
        sam.worker_id(),
        json!({"new_password": "a brand new passphrase"}),
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    // Issued in the same second as the change, most likely: refused all the same.
    assert_eq!(children_status(&world, sam.access()).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(world.get("/api/staff", admin.access()).await.0, StatusCode::OK, "the admin's own session");
}

#[tokio::test]
async fn a_reused_refresh_token_ends_the_access_token_too() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let (status, rotated) = world
        .call(
            Method::POST,
            "/api/auth/refresh",
            None,
            Some(json!({"refresh_token": sam.tokens.refresh_token, "device_id": sam.device_id})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let newest = rotated["access_token"].as_str().unwrap().to_owned();
    // The old refresh token comes back: someone copied it. Every token of the chain ends.
    assert_eq!(refresh_status(&world, &sam).await, StatusCode::UNAUTHORIZED);
    assert_eq!(children_status(&world, &newest).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(children_status(&world, sam.access()).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_token_without_a_session_version_is_refused() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let mut claims = serde_json::to_value(claims_for(&sam)).unwrap();
    claims.as_object_mut().unwrap().remove("sv");
    let token = world.state.keys().sign_for_tests(&claims);
    assert_eq!(children_status(&world, &token).await.0, StatusCode::UNAUTHORIZED);
    // The same claims with the session version are taken: only `sv` made the difference.
    let token = world.state.keys().sign_for_tests(&claims_for(&sam));
    assert_eq!(children_status(&world, &token).await.0, StatusCode::OK);
}

#[rstest]
#[case::one_second_over_the_configured_lifetime(900, 0, 901, StatusCode::UNAUTHORIZED)]
#[case::a_day_long_correctly_signed(900, 0, 86_400, StatusCode::UNAUTHORIZED)]
#[case::the_global_maximum_when_configured_shorter(60, 0, 900, StatusCode::UNAUTHORIZED)]
#[case::exactly_the_configured_lifetime(60, 0, 60, StatusCode::OK)]
#[case::expiring_before_it_was_issued(900, 0, -1, StatusCode::UNAUTHORIZED)]
#[case::issued_a_minute_in_the_future(900, 60, 900, StatusCode::UNAUTHORIZED)]
#[tokio::test]
async fn a_token_claiming_more_than_the_configured_lifetime_is_refused(
    #[case] configured_ttl_secs: u64,
    #[case] issued_ahead_secs: i64,
    #[case] lifetime_secs: i64,
    #[case] expected: StatusCode,
) {
    let config = sync_server::Config {
        access_ttl: std::time::Duration::from_secs(configured_ttl_secs),
        ..sync_server::Config::default()
    };
    let world = World::with_config(config).await;
    let sam = world.login("sam.social").await;
    let mut claims = claims_for(&sam);
    claims.iat = (chrono::Utc::now().timestamp() + issued_ahead_secs) as u64;
    claims.exp = (claims.iat as i64 + lifetime_secs) as u64;
    let token = world.state.keys().sign_for_tests(&claims);
    assert_eq!(children_status(&world, &token).await.0, expected);
}

#[rstest]
#[case::expired_a_moment_ago_within_the_leeway(-2, StatusCode::OK)]
#[case::expired_just_beyond_the_leeway(-(LEEWAY_SECS as i64) - 3, StatusCode::UNAUTHORIZED)]
#[tokio::test]
async fn the_clock_leeway_is_a_few_seconds(#[case] expired_ago_secs: i64, #[case] expected: StatusCode) {
    const { assert!(LEEWAY_SECS <= 10, "a few seconds, not minutes") };
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    // The demo password was set a moment ago; tokens issued before that are refused anyway.
    let mut account = world.state.store().account(sam.worker_id()).await.unwrap().unwrap();
    account.password_changed_at -= chrono::Duration::hours(1);
    world.state.store().put_account(&account).await.unwrap();
    let mut claims = claims_for(&sam);
    claims.exp = (chrono::Utc::now().timestamp() + expired_ago_secs) as u64;
    claims.iat = claims.exp - 600;
    let token = world.state.keys().sign_for_tests(&claims);
    assert_eq!(children_status(&world, &token).await.0, expected);
}

// ---- Devices belong to their worker (item 2). ----

#[rstest]
#[case::a_device_in_use(false)]
#[case::a_revoked_device(true)]
#[tokio::test]
async fn signing_in_with_another_workers_device_id_is_refused_and_changes_nothing(#[case] revoked: bool) {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    if revoked {
        let admin = world.login("adam.admin").await;
        let path = format!("/api/admin/devices/{}/revoke", sam.device_id);
        assert_eq!(world.post(&path, admin.access(), json!({})).await.0, StatusCode::OK);
    }
    let before = world.state.store().device(sam.device_id).await.unwrap().unwrap();

    let (status, body) = world.try_login("priya.field", DEMO_PASSWORD, sam.device_id).await;
    // Refused the same way whether or not sam's device was revoked: priya is not told to wipe.
    assert_eq!((status, body["error"].as_str()), (StatusCode::CONFLICT, Some("conflict")), "{body}");
    assert!(body.get("access_token").is_none());
    assert_eq!(
        world.state.store().device(sam.device_id).await.unwrap().unwrap(),
        before,
        "sam's device untouched"
    );
    if !revoked {
        // Sam's session carries on: his access token and his refresh token still work.
        assert_eq!(children_status(&world, sam.access()).await.0, StatusCode::OK);
        assert_eq!(refresh_status(&world, &sam).await, StatusCode::OK);
    }
    // Priya signs in as a new device.
    let (status, _) = world.try_login("priya.field", DEMO_PASSWORD, DeviceId::new()).await;
    assert_eq!(status, StatusCode::OK);
}

// ---- No password guessing outside the sign-in lockout (item 4). ----

#[tokio::test]
async fn wrong_current_passwords_count_toward_the_sign_in_lockout() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let guess =
        |current: &str| json!({"new_password": "a brand new passphrase", "current_password": current});
    for attempt in 0..5 {
        let (status, body) =
            change_password(&world, sam.access(), sam.worker_id(), guess(&format!("guess {attempt}"))).await;
        assert_eq!(
            (status, body["fields"][0]["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some("current_password"))
        );
    }
    // Locked now: even the right current password is refused, and so is signing in.
    let (status, body) = change_password(&world, sam.access(), sam.worker_id(), guess(DEMO_PASSWORD)).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts")));
    let (status, _) = world.try_login("sam.social", DEMO_PASSWORD, DeviceId::new()).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // The password did not change.
    assert_eq!(
        world.try_login("sam.social", "a brand new passphrase", DeviceId::new()).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    let account = world.state.store().account(sam.worker_id()).await.unwrap().unwrap();
    assert!(sync_server::auth::verify_password(DEMO_PASSWORD, account.password_hash.as_deref()));
}

#[tokio::test]
async fn failed_sign_ins_lock_the_password_change_too() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    for _ in 0..5 {
        assert_eq!(
            world.try_login("sam.social", "wrong password", DeviceId::new()).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let body = json!({"new_password": "a brand new passphrase", "current_password": DEMO_PASSWORD});
    let (status, _) = change_password(&world, sam.access(), sam.worker_id(), body).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[rstest]
#[case::a_social_worker("sam.social")]
#[case::an_administrator("adam.admin")]
#[tokio::test]
async fn changing_your_own_password_needs_the_current_one(#[case] who: &str) {
    let world = World::new().await;
    let session = world.login(who).await;
    let (status, body) = change_password(
        &world,
        session.access(),
        session.worker_id(),
        json!({"new_password": "a brand new passphrase"}),
    )
    .await;
    assert_eq!(
        (status, body["fields"][0]["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("current_password"))
    );
    let body = json!({"new_password": "a brand new passphrase", "current_password": DEMO_PASSWORD});
    assert_eq!(
        change_password(&world, session.access(), session.worker_id(), body).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(world.try_login(who, "a brand new passphrase", DeviceId::new()).await.0, StatusCode::OK);
}
