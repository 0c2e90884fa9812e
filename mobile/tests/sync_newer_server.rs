//! A server newer than the app: a change this version cannot read (a kind of escalation added
//! since it was built, a kind of event it has never heard of) is left out and counted, and
//! everything else on the page is still applied, removals from scope included. Refusing the
//! whole page would stop the phone syncing until it was updated.

mod core_fixtures;

use axum::Router;
use axum::http::header;
use axum::routing::get;
use chrono::Utc;
use core_fixtures::*;
use mobile::sync::SyncClient;
use mobile::sync::client::read_pull;
use serde_json::{Value, json};
use shared::sync::{ChangeEvent, Cursor, PROTOCOL_VERSION, PullResponse, RemovalReason};
use shared::{CalendarName, ChildId, Escalation, VisitId};

/// A child who leaves the worker's scope for a reason this app cannot read.
const ADOPTED: ChildId = ChildId(uuid::Uuid::from_u128(0xad));

fn escalation(child: ChildId) -> Escalation {
    not_seen_escalation(child, VisitId::new())
}

/// The same escalation as a newer server would send it, with a reason this app has never seen.
fn from_a_newer_server(escalation: &Escalation) -> Value {
    let mut value = serde_json::to_value(escalation).unwrap();
    value["reason"] = json!({"reason": "contact_order_breached", "order_id": "X-1", "due": "2026-11-20"});
    value
}

/// A page: the child, an escalation of a new kind, an event of a new kind, a readable
/// escalation, another child leaving the worker's scope, and a third leaving it for a reason
/// this app has never seen, in that order.
fn newer_page() -> (Value, ChildId, ChildId, Escalation) {
    let child = child();
    let leaving = ChildId::new();
    let adopted = ADOPTED;
    let readable = escalation(child.id);
    let known = PullResponse {
        protocol: PROTOCOL_VERSION,
        events: vec![
            ChangeEvent::Child { child: Box::new(child.clone()) },
            ChangeEvent::Escalation { escalation: Box::new(readable.clone()) },
            ChangeEvent::RemovedFromScope { child_id: leaving, reason: RemovalReason::Reallocated },
        ],
        cursor: Cursor("after-newer".into()),
        more: false,
        settings: Some(settings(CalendarName::Jersey)),
    };
    let mut page = serde_json::to_value(&known).unwrap();
    let events = page["events"].as_array_mut().unwrap();
    events.insert(1, json!({"type": "escalation", "escalation": from_a_newer_server(&escalation(child.id))}));
    events.insert(2, json!({"type": "court_hearing", "child_id": child.id, "on": "2026-12-03"}));
    events.push(json!({"type": "removed_from_scope", "child_id": adopted, "reason": "adopted"}));
    (page, child.id, leaving, readable)
}

#[test]
fn a_page_is_read_event_by_event_and_what_cannot_be_read_is_counted_not_fatal() {
    let (page, child, leaving, readable) = newer_page();
    let pulled = read_pull(page.to_string().as_bytes()).expect("the page is read");
    assert_eq!(pulled.unreadable, 2, "the new kind of escalation and the new kind of event");
    let kinds: Vec<String> = pulled
        .page
        .events
        .iter()
        .map(|e| match e {
            ChangeEvent::Child { child: c } => format!("child {}", c.id == child),
            ChangeEvent::Escalation { escalation } => format!("escalation {}", escalation.id == readable.id),
            ChangeEvent::RemovedFromScope { child_id, .. } if *child_id == ADOPTED => {
                "removed, adopted".to_owned()
            }
            ChangeEvent::RemovedFromScope { child_id, .. } => format!("removed {}", *child_id == leaving),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        kinds,
        ["child true", "escalation true", "removed true", "removed, adopted"],
        "the rest, in order; a removal for a reason it cannot read still removes"
    );
    assert_eq!(pulled.page.cursor, Cursor("after-newer".into()));
    assert!(pulled.page.settings.is_some());

    // A page whose frame cannot be read is refused whole: nothing of it is applied.
    let mut broken = page.clone();
    broken.as_object_mut().unwrap().remove("cursor");
    assert!(read_pull(broken.to_string().as_bytes()).is_err());
    let mut other_protocol = page;
    other_protocol["protocol"] = json!(PROTOCOL_VERSION + 1);
    assert!(read_pull(other_protocol.to_string().as_bytes()).is_err());
}

#[test]
fn what_was_left_out_is_counted_in_the_store_with_the_page_and_the_rest_applied() {
    let (_dir, _local, store) = unlocked_store();
    let (page, child, _, readable) = newer_page();
    let pulled = read_pull(page.to_string().as_bytes()).unwrap();
    store.note_unreadable(pulled.unreadable, mobile::store::APP_VERSION, afternoon()).unwrap();
    store.apply_pull(&pulled.page, afternoon()).unwrap();
    assert!(store.child(child).unwrap().is_some(), "the child is on the phone");
    assert!(store.escalations().unwrap().iter().any(|e| e.id == readable.id));
    assert_eq!(store.pull_cursor().unwrap(), Some(Cursor("after-newer".into())));
    let noted = store.unreadable().unwrap().expect("noted");
    assert_eq!((noted.count, noted.app_version.as_str()), (2, mobile::store::APP_VERSION));
    // More from the same version adds up; a later version's update pull clears only the older.
    store.note_unreadable(1, mobile::store::APP_VERSION, Utc::now()).unwrap();
    assert_eq!(store.unreadable().unwrap().map(|u| u.count), Some(3));
    store.clear_unreadable_of("0.0.1-earlier").unwrap();
    assert!(store.unreadable().unwrap().is_some(), "not that version's");
    store.clear_unreadable_of(mobile::store::APP_VERSION).unwrap();
    assert_eq!(store.unreadable().unwrap(), None);
}

#[tokio::test]
async fn a_managers_list_from_a_newer_server_shows_what_it_can_read() {
    let child = ChildId::new();
    let readable = escalation(child);
    let list = json!([from_a_newer_server(&escalation(child)), readable]);
    let url = serving("/api/escalations", list).await;
    let shown = SyncClient::new(&url).unwrap().escalations("token").await.expect("not an error");
    assert_eq!(shown.iter().map(|e| e.id).collect::<Vec<_>>(), [readable.id]);
}

/// A duty worker's handover from a newer server, with an escalation of a kind this app has never
/// seen: the handover is shown, with every escalation it can read. An error at the door would
/// leave the worker to start again.
#[tokio::test]
async fn a_handover_from_a_newer_server_shows_what_it_can_read() {
    let child = child();
    let readable = escalation(child.id);
    let mut handover = serde_json::to_value(fixtures::handover(child.clone())).unwrap();
    handover["open_escalations"] = json!([from_a_newer_server(&escalation(child.id)), readable]);
    let url = serving(&format!("/api/children/{}/handover", child.id), handover).await;
    let (shown, _) = SyncClient::new(&url)
        .unwrap()
        .handover("token", child.id, None)
        .await
        .expect("not an error")
        .expect("sent whole: no copy was named");
    assert_eq!(shown.child, child);
    assert_eq!(shown.open_escalations.iter().map(|e| e.id).collect::<Vec<_>>(), [readable.id]);
}

/// A stand-in for a newer server answering `path` with `body`; its address.
async fn serving(path: &str, body: Value) -> String {
    let body = body.to_string();
    let app = Router::new().route(
        path,
        get(move || {
            let body = body.clone();
            async move { ([(header::CONTENT_TYPE, "application/json")], body) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}
