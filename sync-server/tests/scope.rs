//! Roles and scope: a table of role × endpoint proving that every forbidden read or write is
//! refused and reveals nothing, not even whether the child exists.
//!
//! The target is Evie (DEMO-0201), a team 2 child whose key worker is tom.north. Team 1's
//! social workers, the duty worker without cover, team 1's manager and the administrator may
//! not see her; tom, team 2's manager and the senior manager may.

mod common;

use axum::http::{Method, StatusCode};
use common::{Session, World, attachment, config_with_photos, outcome, test_photo, visit};
use rstest::rstest;
use serde_json::{Value, json};
use shared::{ChildId, VisitId};

#[derive(Clone, Copy, Debug)]
enum Endpoint {
    Child,
    ChildVisits,
    ChildrenList,
    Pull,
    Conflicts,
    PushVisit,
    Photo,
    PhotoHead,
    Thumbnail,
    MissingBlobs,
    /// Pushing a visit of one's own that names the photo.
    AttachPhoto,
}

/// What a request is about: Evie, her visit and its photo; or things that do not exist.
#[derive(Clone, Debug)]
struct Target {
    child: ChildId,
    visit: VisitId,
    photo: String,
}

impl Target {
    fn nothing() -> Target {
        Target {
            child: ChildId::new(),
            visit: VisitId::new(),
            photo: shared::photo::sha256_hex(b"no such photo"),
        }
    }
}

/// A world where Evie has a visit by tom, with a photo he uploaded, and a conflict on it.
async fn world_with_target() -> (World, Target, tempfile::TempDir) {
    let blobs = tempfile::tempdir().expect("blob dir");
    let world = World::with_config(config_with_photos(blobs.path())).await;
    let evie = world.child("DEMO-0201").await;
    let tom = world.login("tom.north").await;
    let photo = test_photo(201);
    world.upload(&tom, &photo).await;
    let mut first = visit(evie.id, tom.worker_id());
    first.attachments.push(attachment(&photo));
    let results = world.push_outcomes(&tom, std::slice::from_ref(&first)).await;
    assert_eq!(outcome(&results[0]), "accepted");
    let mut other = first.clone();
    other.location = "school".into();
    let results = world.push_outcomes(&tom, &[other]).await;
    assert_eq!(outcome(&results[0]), "conflict");
    (world, Target { child: evie.id, visit: first.id, photo: photo.sha256 }, blobs)
}

/// What the endpoint answers about `target` for this session.
async fn ask(world: &World, session: &Session, endpoint: Endpoint, target: &Target) -> (StatusCode, Value) {
    let child = target.child;
    let push = |visit: shared::Visit| async move {
        let (status, body) = world.push(session, &[visit]).await;
        match body["results"].get(0).cloned() {
            // The visit id is the caller's own; only the outcome matters.
            Some(mut result) => {
                if let Some(fields) = result.as_object_mut() {
                    fields.remove("visit_id");
                }
                (status, result)
            }
            None => (status, body),
        }
    };
    match endpoint {
        Endpoint::Child => world.get(&format!("/api/children/{child}"), session.access()).await,
        Endpoint::ChildVisits => world.get(&format!("/api/children/{child}/visits"), session.access()).await,
        Endpoint::ChildrenList => world.get("/api/children", session.access()).await,
        Endpoint::Pull => {
            let (events, _) = world.pull_all(session, None).await;
            (StatusCode::OK, Value::Array(events))
        }
        Endpoint::Conflicts => world.get("/api/conflicts", session.access()).await,
        Endpoint::PushVisit => push(visit(child, session.worker_id())).await,
        Endpoint::Photo => world.get(&format!("/api/blobs/{}", target.photo), session.access()).await,
        Endpoint::PhotoHead => {
            world
                .call(Method::HEAD, &format!("/api/blobs/{}", target.photo), Some(session.access()), None)
                .await
        }
        Endpoint::Thumbnail => {
            world.get(&format!("/api/blobs/{}/thumbnail", target.photo), session.access()).await
        }
        Endpoint::MissingBlobs => {
            world.get(&format!("/api/visits/{}/missing-blobs", target.visit), session.access()).await
        }
        Endpoint::AttachPhoto => {
            // A visit to a child of the caller's own (or none: the answer is the same), naming
            // the photo.
            let own = world.state.store().children_of_key_worker(session.worker_id()).await.expect("store");
            let mut attaching = visit(own.first().copied().unwrap_or_else(ChildId::new), session.worker_id());
            attaching.attachments.push(fixtures::attachment(&target.photo, "A photo"));
            push(attaching).await
        }
    }
}

#[rstest]
#[tokio::test]
async fn forbidden_reads_and_writes_reveal_nothing(
    #[values("sam.social", "priya.field", "dana.duty", "tara.manager", "adam.admin")] who: &str,
    #[values(
        Endpoint::Child,
        Endpoint::ChildVisits,
        Endpoint::ChildrenList,
        Endpoint::Pull,
        Endpoint::Conflicts,
        Endpoint::PushVisit,
        Endpoint::Photo,
        Endpoint::PhotoHead,
        Endpoint::Thumbnail,
        Endpoint::MissingBlobs,
        Endpoint::AttachPhoto
    )]
    endpoint: Endpoint,
) {
    let (world, target, _blobs) = world_with_target().await;
    let evie = target.child;
    let session = world.login(who).await;
    let (status, body) = ask(&world, &session, endpoint, &target).await;
    let nothing = Target::nothing();
    let nobody = nothing.child;
    let (status_for_nobody, body_for_nobody) = ask(&world, &session, endpoint, &nothing).await;

    // The same answer as for a child who does not exist…
    assert_eq!(status, status_for_nobody, "{who} {endpoint:?}: {body}");
    let text = body.to_string().replace(&nobody.to_string(), "");
    let text_for_nobody = body_for_nobody
        .to_string()
        .replace(&nobody.to_string(), "")
        .replace(&nothing.photo, &target.photo)
        .replace(&nothing.visit.to_string(), &target.visit.to_string());
    assert_eq!(text.replace(&evie.to_string(), ""), text_for_nobody, "{who} {endpoint:?}");
    // …and not a trace of her.
    assert!(
        !text.contains(&evie.to_string()) || matches!(endpoint, Endpoint::PushVisit),
        "{who} {endpoint:?}: {text}"
    );
    assert!(!text.contains("Le Cornu") && !text.contains("Evie"), "{who} {endpoint:?}: {text}");
    match endpoint {
        Endpoint::Child | Endpoint::ChildVisits => {
            assert_eq!(status, StatusCode::NOT_FOUND);
            assert_eq!(body["error"], "not_found");
        }
        Endpoint::PushVisit if who == "adam.admin" => assert_eq!(status, StatusCode::FORBIDDEN),
        Endpoint::PushVisit => {
            // Held for a manager's review, never dropped, with the words used for unknown children.
            assert_eq!(body["outcome"], "accepted");
            assert_eq!(body["needs_review"], sync_server::sync::HELD_NOT_ON_CASELOAD);
        }
        Endpoint::ChildrenList | Endpoint::Conflicts if who == "adam.admin" => {
            assert_eq!(status, StatusCode::FORBIDDEN)
        }
        Endpoint::Photo | Endpoint::Thumbnail | Endpoint::MissingBlobs => {
            assert_eq!((status, body["error"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
        }
        Endpoint::PhotoHead => assert_eq!(status, StatusCode::NOT_FOUND),
        Endpoint::AttachPhoto if who == "adam.admin" => assert_eq!(status, StatusCode::FORBIDDEN),
        Endpoint::AttachPhoto => {
            // Refused, in the same words as for a photo that does not exist.
            assert_eq!(body["outcome"], "rejected", "{who}: {body}");
            assert_eq!(body["errors"][0]["field"], "attachments[0].sha256");
            assert_eq!(body["errors"][0]["message"], sync_server::photos::NOT_YOURS_TO_ATTACH);
        }
        _ => assert_eq!(status, StatusCode::OK),
    }
}

#[rstest]
#[tokio::test]
async fn allowed_roles_see_the_photo(
    #[values("tom.north", "mo.manager", "sian.senior")] who: &str,
    #[values(Endpoint::Photo, Endpoint::PhotoHead, Endpoint::Thumbnail, Endpoint::AttachPhoto)]
    endpoint: Endpoint,
) {
    let (world, target, _blobs) = world_with_target().await;
    let session = world.login(who).await;
    let (status, body) = ask(&world, &session, endpoint, &target).await;
    assert_eq!(status, StatusCode::OK, "{who} {endpoint:?}: {body}");
    if let Endpoint::AttachPhoto = endpoint {
        // Someone who may see the photo may name it in a visit of their own.
        assert_eq!(body["outcome"], "accepted", "{who}: {body}");
    }
}

#[rstest]
#[tokio::test]
async fn allowed_roles_see_the_child(
    #[values("tom.north", "mo.manager", "sian.senior")] who: &str,
    #[values(
        Endpoint::Child,
        Endpoint::ChildVisits,
        Endpoint::ChildrenList,
        Endpoint::Pull,
        Endpoint::Conflicts
    )]
    endpoint: Endpoint,
) {
    let (world, target, _blobs) = world_with_target().await;
    let evie = target.child;
    let session = world.login(who).await;
    let (status, body) = ask(&world, &session, endpoint, &target).await;
    assert_eq!(status, StatusCode::OK, "{who} {endpoint:?}: {body}");
    assert!(body.to_string().contains(&evie.to_string()), "{who} {endpoint:?} should see her");
}

#[tokio::test]
async fn a_duty_worker_sees_a_covered_child_only_during_the_cover() {
    let (world, target, _blobs) = world_with_target().await;
    let evie = target.child;
    let dana = world.login("dana.duty").await;
    let path = format!("/api/children/{evie}");

    world.cover(evie, "dana.duty", -10, -1).await;
    assert_eq!(world.get(&path, dana.access()).await.0, StatusCode::NOT_FOUND, "cover ended yesterday");
    world.cover(evie, "dana.duty", 2, 9).await;
    assert_eq!(world.get(&path, dana.access()).await.0, StatusCode::NOT_FOUND, "cover starts later");
    world.cover(evie, "dana.duty", -1, 1).await;
    assert_eq!(world.get(&path, dana.access()).await.0, StatusCode::OK, "cover in force today");
    let visits = world.get(&format!("{path}/visits"), dana.access()).await;
    assert_eq!(visits.0, StatusCode::OK);
    assert!(!visits.1.as_array().unwrap().is_empty());
}

#[rstest]
#[case::social_worker("sam.social")]
#[case::duty_worker("dana.duty")]
#[case::admin("adam.admin")]
#[tokio::test]
async fn the_review_queue_is_for_managers_only(#[case] who: &str) {
    let world = World::new().await;
    let session = world.login(who).await;
    let (status, body) = world.get("/api/review", session.access()).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
}

#[rstest]
#[case::social_worker("sam.social")]
#[case::team_manager("tara.manager")]
#[case::senior_manager("sian.senior")]
#[case::duty_worker("dana.duty")]
#[tokio::test]
async fn only_administrators_import_export_back_up_and_create_accounts(#[case] who: &str) {
    let world = World::new().await;
    let session = world.login(who).await;
    let (status, _) = world.get("/api/admin/export/visits", session.access()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = world.get("/api/admin/backup", session.access()).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a backup holds every child's record");
    let (status, _) = world.post("/api/admin/export/ack", session.access(), json!({"revisions": []})).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = world.post("/api/admin/import?format=json", session.access(), json!([])).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = world
        .post(
            "/api/admin/accounts",
            session.access(),
            json!({"username": "x.y", "name": "X Y", "role": "senior_manager", "password": "long enough password"}),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn no_token_means_401_everywhere_that_needs_one() {
    let world = World::new().await;
    for path in
        ["/api/children", "/api/sync/pull", "/api/conflicts", "/api/review", "/api/admin/export/visits"]
    {
        let (status, body) = world.call(axum::http::Method::GET, path, None, None).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (StatusCode::UNAUTHORIZED, Some("unauthorized")),
            "{path}"
        );
    }
}

// ---- The plan's timeline endpoints (issue 11), role by role. ----

#[derive(Clone, Copy, Debug)]
enum PlanEndpoint {
    Timeline,
    RecordMeeting,
    ActionDone,
    SupervisionList,
    RecordSupervision,
    PlansDue,
}

/// Asks a plan endpoint about `child`; `action` is an agreed action on Evie's plan.
async fn ask_plan(
    world: &World,
    session: &Session,
    endpoint: PlanEndpoint,
    child: ChildId,
    action: &str,
) -> (StatusCode, Value) {
    let today = world.today();
    let token = session.access();
    match endpoint {
        PlanEndpoint::Timeline => world.get(&format!("/api/children/{child}/timeline"), token).await,
        PlanEndpoint::RecordMeeting => {
            let body = json!({"kind": "core_group", "held_on": today, "attendees": ["School"]});
            world.post(&format!("/api/children/{child}/meetings"), token, body).await
        }
        PlanEndpoint::ActionDone => {
            world.post(&format!("/api/children/{child}/actions/{action}/done"), token, json!({})).await
        }
        PlanEndpoint::SupervisionList => {
            world.get(&format!("/api/children/{child}/supervision"), token).await
        }
        PlanEndpoint::RecordSupervision => {
            let body = json!({"held_on": today, "reflection": "Risk reducing."});
            world.post(&format!("/api/children/{child}/supervision"), token, body).await
        }
        PlanEndpoint::PlansDue => world.get("/api/plans/due", token).await,
    }
}

#[rstest]
// Tom is Evie's key worker: he keeps her plan, and reads (not records) supervision.
#[case::own_social_worker("tom.north", [200, 201, 201, 200, 403, 403])]
// Another team's social worker: as if she did not exist.
#[case::other_social_worker("sam.social", [404, 404, 404, 404, 403, 403])]
// A duty worker without cover: no child; meetings, actions and supervision are not theirs.
#[case::duty_worker("dana.duty", [404, 403, 403, 403, 403, 403])]
// Her team's manager: everything.
#[case::her_team_manager("mo.manager", [200, 201, 201, 200, 201, 200])]
// Another team's manager: as if she did not exist (the desk answers, without her).
#[case::other_team_manager("tara.manager", [404, 404, 404, 404, 404, 200])]
#[case::senior_manager("sian.senior", [200, 201, 201, 200, 201, 200])]
#[case::admin("adam.admin", [403, 403, 403, 403, 403, 403])]
#[tokio::test]
async fn plan_timeline_endpoints_answer_each_role_as_its_scope_allows(
    #[case] who: &str,
    #[case] expected: [u16; 6],
) {
    let world = World::new().await;
    let evie = world.child("DEMO-0201").await;
    // An action agreed at an earlier core group, for marking done.
    let sian = world.login("sian.senior").await;
    let (status, meeting) = world
        .post(
            &format!("/api/children/{}/meetings", evie.id),
            sian.access(),
            json!({"kind": "core_group", "held_on": world.today(), "attendees": ["School"],
                   "actions": [{"description": "Weekly check", "owner": "School", "due_on": world.today()}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{meeting}");
    let action = meeting["actions"][0]["id"].as_str().unwrap().to_owned();
    let session = world.login(who).await;
    let endpoints = [
        PlanEndpoint::Timeline,
        PlanEndpoint::RecordMeeting,
        PlanEndpoint::ActionDone,
        PlanEndpoint::SupervisionList,
        PlanEndpoint::RecordSupervision,
        PlanEndpoint::PlansDue,
    ];
    for (endpoint, want) in endpoints.into_iter().zip(expected) {
        let (status, body) = ask_plan(&world, &session, endpoint, evie.id, &action).await;
        assert_eq!(status.as_u16(), want, "{who} {endpoint:?}: {body}");
        let text = body.to_string();
        if want == 404 {
            // Nothing reveals that she exists: the same answer as for nobody.
            let nobody = ChildId::new();
            let (other, other_body) = ask_plan(&world, &session, endpoint, nobody, &action).await;
            assert_eq!((status, body.clone()), (other, other_body), "{who} {endpoint:?}");
        }
        if want >= 400 || matches!(endpoint, PlanEndpoint::PlansDue) && who == "tara.manager" {
            assert!(!text.contains(&evie.id.to_string()), "{who} {endpoint:?}: {text}");
        }
        if matches!(endpoint, PlanEndpoint::PlansDue) && want == 200 && who != "tara.manager" {
            assert!(text.contains(&evie.id.to_string()), "{who} sees her on the desk: {text}");
        }
    }
}

#[rstest]
#[case::social_worker("sam.social")]
#[case::duty_worker("dana.duty")]
#[case::admin("adam.admin")]
#[tokio::test]
async fn the_interpreting_not_considered_list_is_for_managers_only(#[case] who: &str) {
    let world = World::new().await;
    let session = world.login(who).await;
    let (status, body) = world.get("/api/oversight/interpreting-not-considered", session.access()).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::FORBIDDEN, Some("forbidden")));
}

#[rstest]
#[case::team_1_manager("tara.manager", true)]
#[case::team_2_manager("mo.manager", false)]
#[case::senior_manager("sian.senior", true)]
#[tokio::test]
async fn managers_see_interpreting_not_considered_only_for_children_in_their_scope(
    #[case] who: &str,
    #[case] sees_amelia: bool,
) {
    let world = World::new().await;
    let amelia = world.child("DEMO-0005").await;
    let session = world.login(who).await;
    let (status, body) = world.get("/api/oversight/interpreting-not-considered", session.access()).await;
    assert_eq!(status, StatusCode::OK);
    let listed = body.as_array().unwrap().iter().any(|c| c["child_id"] == json!(amelia.id));
    assert_eq!(listed, sees_amelia, "{body}");
}

#[rstest]
#[case::social_worker_of_another_team("sam.social", StatusCode::NOT_FOUND)]
#[case::duty_worker_without_cover("dana.duty", StatusCode::NOT_FOUND)]
#[case::manager_of_another_team("tara.manager", StatusCode::NOT_FOUND)]
#[case::admin("adam.admin", StatusCode::FORBIDDEN)]
#[case::key_worker("tom.north", StatusCode::CREATED)]
#[case::team_manager("mo.manager", StatusCode::CREATED)]
#[case::senior_manager("sian.senior", StatusCode::CREATED)]
#[tokio::test]
async fn safety_warnings_are_read_and_recorded_only_within_scope(#[case] who: &str, #[case] add: StatusCode) {
    let world = World::new().await;
    let evie = world.child("DEMO-0201").await;
    let session = world.login(who).await;
    let path = format!("/api/children/{}/safety-warnings", evie.id);
    let (status, body) =
        world.post(&path, session.access(), json!({"kind": "animal", "details": "Dog"})).await;
    assert_eq!(status, add, "{body}");
    let (status, _) = world.get(&path, session.access()).await;
    let read = if add == StatusCode::CREATED { StatusCode::OK } else { add };
    assert_eq!(status, read);
    if add == StatusCode::NOT_FOUND {
        // The same answer as for a child that does not exist.
        let (_, nothing) =
            world.get(&format!("/api/children/{}/safety-warnings", ChildId::new()), session.access()).await;
        assert_eq!(body, nothing);
    }
}

#[rstest]
#[case::key_worker("tom.north", StatusCode::FORBIDDEN)]
#[case::social_worker("sam.social", StatusCode::FORBIDDEN)]
#[case::duty_worker("dana.duty", StatusCode::FORBIDDEN)]
#[case::admin("adam.admin", StatusCode::FORBIDDEN)]
#[case::manager_of_another_team("tara.manager", StatusCode::NOT_FOUND)]
#[case::team_manager("mo.manager", StatusCode::OK)]
#[case::senior_manager("sian.senior", StatusCode::OK)]
#[tokio::test]
async fn only_a_manager_in_scope_ends_a_safety_warning(#[case] who: &str, #[case] expected: StatusCode) {
    let world = World::new().await;
    let evie = world.child("DEMO-0201").await;
    let tom = world.login("tom.north").await;
    let (_, warning) = world
        .post(
            &format!("/api/children/{}/safety-warnings", evie.id),
            tom.access(),
            json!({"kind": "animal", "details": "Dog"}),
        )
        .await;
    let session = world.login(who).await;
    let end = format!("/api/safety-warnings/{}/end", warning["id"].as_str().unwrap());
    let (status, _) = world.post(&end, session.access(), json!({"reason": "Rehomed"})).await;
    assert_eq!(status, expected);
}

#[rstest]
#[case::social_worker("sam.social", StatusCode::FORBIDDEN)]
#[case::duty_worker("dana.duty", StatusCode::FORBIDDEN)]
#[case::admin("adam.admin", StatusCode::FORBIDDEN)]
#[case::team_1_manager("tara.manager", StatusCode::OK)]
#[case::team_2_manager("mo.manager", StatusCode::OK)]
#[case::senior_manager("sian.senior", StatusCode::OK)]
#[tokio::test]
async fn key_worker_counts_are_for_managers_and_only_their_scope(
    #[case] who: &str,
    #[case] expected: StatusCode,
) {
    let world = World::new().await;
    let evie = world.child("DEMO-0201").await;
    let session = world.login(who).await;
    let (status, body) = world.get("/api/oversight/key-workers", session.access()).await;
    assert_eq!(status, expected);
    if status == StatusCode::OK {
        let sees_evie = body.as_array().unwrap().iter().any(|c| c["child_id"] == json!(evie.id));
        assert_eq!(sees_evie, who != "tara.manager", "{who}");
    }
}

#[rstest]
#[case::previous_key_worker("priya.field", StatusCode::NOT_FOUND)]
#[case::new_key_worker("sam.social", StatusCode::OK)]
#[case::duty_worker_without_cover("dana.duty", StatusCode::NOT_FOUND)]
#[case::team_manager("tara.manager", StatusCode::OK)]
#[case::manager_of_another_team("mo.manager", StatusCode::NOT_FOUND)]
#[case::admin("adam.admin", StatusCode::NOT_FOUND)]
#[tokio::test]
async fn the_handover_of_a_reallocated_child_is_for_the_new_key_worker_and_managers(
    #[case] who: &str,
    #[case] expected: StatusCode,
) {
    let world = World::new().await;
    let noah = world.child(sync_server::demo::REALLOCATED_CENTRAL_ID).await;
    let session = world.login(who).await;
    let (status, _) = world.get(&format!("/api/children/{}/handover", noah.id), session.access()).await;
    assert_eq!(status, expected);
}

// ---- A child's standing "seen alone" decisions, role by role: the phone keeps them. ----

#[rstest]
#[case::own_social_worker("tom.north", 200)]
#[case::other_social_worker("sam.social", 404)]
#[case::duty_worker_without_cover("dana.duty", 404)]
#[case::her_team_manager("mo.manager", 200)]
#[case::other_team_manager("tara.manager", 404)]
#[case::senior_manager("sian.senior", 200)]
#[case::admin("adam.admin", 403)]
#[tokio::test]
async fn standing_seen_alone_decisions_are_read_by_those_who_may_visit_the_child(
    #[case] who: &str,
    #[case] expected: u16,
) {
    let world = World::new().await;
    let evie = world.child("DEMO-0201").await;
    let mo = world.login("mo.manager").await;
    let reason = "Evie is four months old";
    let ends = world.today().checked_add_days(chrono::Days::new(60)).unwrap();
    let path = format!("/api/children/{}/seen-alone-decisions", evie.id);
    let (status, body) = world.post(&path, mo.access(), json!({"reason": reason, "ends_on": ends})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");

    let session = world.login(who).await;
    let (status, body) = world.get(&path, session.access()).await;
    assert_eq!(status.as_u16(), expected, "{who}: {body}");
    if expected == 200 {
        assert_eq!(body[0]["reason"], reason, "{who}");
    } else {
        assert!(!body.to_string().contains(reason), "{who}: {body}");
    }
    if expected == 404 {
        // Nothing reveals that she exists: the same answer as for nobody.
        let nobody = format!("/api/children/{}/seen-alone-decisions", ChildId::new());
        assert_eq!(world.get(&nobody, session.access()).await, (status, body), "{who}");
    }
}

/// Only a manager with the child in scope ends a standing decision; anyone else changes nothing
/// and learns nothing of the child.
#[rstest]
#[case::own_social_worker("tom.north", 403)]
#[case::other_social_worker("sam.social", 403)]
#[case::duty_worker("dana.duty", 403)]
#[case::her_team_manager("mo.manager", 200)]
#[case::other_team_manager("tara.manager", 404)]
#[case::senior_manager("sian.senior", 200)]
#[case::admin("adam.admin", 403)]
#[tokio::test]
async fn only_a_manager_with_the_child_in_scope_ends_a_standing_seen_alone_decision(
    #[case] who: &str,
    #[case] expected: u16,
) {
    let world = World::new().await;
    let evie = world.child("DEMO-0201").await;
    let mo = world.login("mo.manager").await;
    let ends = world.today().checked_add_days(chrono::Days::new(60)).unwrap();
    let path = format!("/api/children/{}/seen-alone-decisions", evie.id);
    let (status, decision) =
        world.post(&path, mo.access(), json!({"reason": "Four months old", "ends_on": ends})).await;
    assert_eq!(status, StatusCode::CREATED, "{decision}");

    let session = world.login(who).await;
    let end = format!("{path}/{}/end", decision["id"].as_str().unwrap());
    let (status, body) = world.post(&end, session.access(), json!({"reason": "Talking now"})).await;
    assert_eq!(status.as_u16(), expected, "{who}: {body}");
    assert!(!body.to_string().contains("Four months old") || expected == 200, "{who}: {body}");
    let (_, listed) = world.get(&path, mo.access()).await;
    assert_eq!(listed[0].get("ended").is_some(), expected == 200, "{who}: {listed}");
}

/// The duty worker covering the child reads them, as they visit.
#[tokio::test]
async fn the_duty_worker_covering_the_child_reads_its_standing_seen_alone_decisions() {
    let world = World::new().await;
    let evie = world.child("DEMO-0201").await;
    let mo = world.login("mo.manager").await;
    let dana = world.login("dana.duty").await;
    let today = world.today();
    let ends = today.checked_add_days(chrono::Days::new(60)).unwrap();
    let path = format!("/api/children/{}/seen-alone-decisions", evie.id);
    let (status, body) =
        world.post(&path, mo.access(), json!({"reason": "Four months old", "ends_on": ends})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, cover) = world
        .post(
            "/api/covers",
            mo.access(),
            json!({"child_id": evie.id, "duty_worker": dana.worker_id(), "starts_on": today,
                   "ends_on": today.checked_add_days(chrono::Days::new(5)).unwrap()}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{cover}");
    let (status, body) = world.get(&path, dana.access()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0]["reason"], "Four months old");
}
