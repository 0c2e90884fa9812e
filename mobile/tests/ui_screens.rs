//! Render tests of the sign-in, photos, handover and manager's inbox screens.

mod ui_support;

use axum::response::IntoResponse;

use chrono::Utc;
use shared::{
    Child, Escalation, EscalationAction, EscalationEntry, EscalationId, EscalationLevel, EscalationReason,
    EscalationStatus, EscalationStep, Role, TeamId, VisitId, Worker, WorkerId,
};
use ui_support::*;

#[test]
fn sign_in_asks_for_the_server_username_password_and_a_pin_each_with_a_label() {
    let app = signed_out();
    let html = app.render("/", "Sign in once to register this phone");
    for (id, label) in [
        ("server", "Server address"),
        ("username", "Username"),
        ("password", "Password"),
        ("pin", "Choose a PIN for this phone"),
        ("pin-again", "The same PIN again"),
    ] {
        assert!(html.contains(&format!("<label for=\"{id}\">{label}")), "no label for {id}:\n{html}");
        assert!(html.contains(&format!("id=\"{id}\"")));
    }
    assert!(html.contains("value=\"http://127.0.0.1:9\""), "the server address is offered");
    assert!(html.contains("Five wrong PINs wipe this phone"));
    assert!(!html.contains("My children"), "nothing behind the sign-in shows");
}

#[test]
fn a_covered_childs_visit_starts_at_the_handover_which_works_offline() {
    let covered = child("Cara", "Cover", true);
    let visits = vec![seen_visit(&covered, last_seen_for("ok"), "I have a cat called Biscuit")];
    let app = AppUnderTest::new(&[(covered.clone(), visits)], &[cover(&covered, today())], &[]);
    app.unlock();
    let page = app.render(&format!("/child/{}", covered.id), "Start a visit");
    assert!(page.contains(&format!("href=\"/child/{}/handover\"", covered.id)), "{page}");
    assert!(page.contains("Read the handover first"));

    let handover =
        app.render(&format!("/child/{}/handover", covered.id), "I have read this: start the visit");
    assert!(handover.contains("Not fetched from the server just now"), "offline, and says so: {handover}");
    assert!(handover.contains("I have a cat called Biscuit"), "the child's words");
    assert!(handover.contains("Interpreter needed: book one before you go"), "the mother's interpreter need");
    assert!(handover.contains("Attend school every day"), "the plan");
}

#[test]
fn the_photos_screen_offers_a_labelled_picker_for_camera_or_file() {
    let child = child("Maja", "Test", false);
    let app = AppUnderTest::new(&[(child.clone(), vec![])], &[], &[]);
    app.unlock();
    let html = app.render(&format!("/child/{}/visit/photos", child.id), "Photos on this visit (0)");
    assert!(html.contains("<label for=\"photo-file\">Add a photo"), "{html}");
    assert!(html.contains("accept=\"image/jpeg,image/png,image/webp\""));
    assert!(html.contains("Location data is removed on this phone"));
}

#[test]
fn a_manager_is_asked_to_agree_or_disagree_with_a_child_not_seen_alone() {
    let child = child("Maja", "Test", false);
    let escalation = Escalation {
        id: EscalationId::new(),
        child_id: child.id,
        reason: EscalationReason::NotSeenAlone { visit_id: VisitId::new() },
        level: EscalationLevel::TeamManager,
        to: Some(WORKER),
        raised_at: Utc::now(),
        re_raised_at: None,
        history: Vec::new(),
        basis: None,
        status: EscalationStatus::Open,
    };
    let app = AppUnderTest::signed_in_as(Role::TeamManager, &[(child, vec![])], &[], &[], |store| {
        store.put_escalation(&escalation).expect("escalation kept");
    });
    app.unlock();
    let html = app.render("/inbox", "Not seen alone: Maja Test");
    assert!(html.contains("1 waiting for a decision."), "{html}");
    assert!(html.contains(">Agree<") && html.contains(">Disagree<"));
    // Both are refused until the manager gives a reason.
    assert!(html.matches("disabled").count() >= 2, "{html}");
    assert!(html.contains("id=\"nav-inbox\""), "managers get the inbox tab: {html}");
    assert!(html.contains("id=\"nav-desk\""), "managers get the desk tab: {html}");
}

/// A worker who is not a manager, reaching a manager's screen by its address, is told plainly
/// whose screen it is and offered the way back, instead of an error from every read the server
/// refuses them. A manager at the same address gets the screen.
#[test]
fn a_manager_screen_reached_by_address_tells_anyone_else_it_is_for_managers() {
    let child = child("Maja", "Test", false);
    let screens =
        ["/inbox", "/inbox/held", "/inbox/supervision", "/desk", &format!("/desk/child/{}", child.id)];
    for role in [Role::SocialWorker, Role::DutyWorker] {
        let app = AppUnderTest::signed_in_as(role, &[(child.clone(), vec![])], &[], &[], |_| {});
        app.unlock();
        for screen in &screens {
            let html = app.render(screen, "This screen is for team and senior managers.");
            assert!(html.contains(">For managers</h2>"), "{role:?} at {screen}:\n{html}");
            assert!(html.contains(">Go to My children</a>"), "{role:?} at {screen}: the way back");
            assert!(!html.contains("could not be loaded"), "{role:?} at {screen}: no error:\n{html}");
        }
        // Their own screens are unchanged.
        let html = app.render("/", "Maja Test");
        assert!(!html.contains("For managers"), "{html}");
    }
    let manager = AppUnderTest::signed_in_as(Role::TeamManager, &[(child, vec![])], &[], &[], |_| {});
    manager.unlock();
    let html = manager.render("/inbox", "waiting for a decision.");
    assert!(!html.contains("For managers"), "{html}");
}

/// An open "overdue" escalation about `child`, the kind a manager may answer with duty cover.
fn overdue(child: &Child) -> Escalation {
    Escalation {
        id: EscalationId::new(),
        child_id: child.id,
        reason: EscalationReason::Overdue { due: today(), working_days_overdue: 2, key_worker_absent: true },
        level: EscalationLevel::TeamManager,
        to: Some(WORKER),
        raised_at: Utc::now(),
        re_raised_at: None,
        history: Vec::new(),
        basis: None,
        status: EscalationStatus::Open,
    }
}

/// The `<select>` element with this id, start tag to end tag.
fn select_with_id<'a>(html: &'a str, id: &str) -> &'a str {
    let start =
        html.find(&format!("<select id=\"{id}\"")).unwrap_or_else(|| panic!("no select {id}:\n{html}"));
    let end = start + html[start..].find("</select>").expect("select closed");
    &html[start..end]
}

#[test]
fn offline_the_cover_form_says_the_duty_workers_could_not_be_loaded_and_stays_disabled() {
    let child = child("Maja", "Test", false);
    let escalation = overdue(&child);
    // The phone's server address answers nothing: the staff list cannot be fetched.
    let app = AppUnderTest::signed_in_as(Role::TeamManager, &[(child, vec![])], &[], &[], |store| {
        store.put_escalation(&escalation).expect("escalation kept");
    });
    app.unlock();
    let html = app.render("/inbox", "The list of duty workers could not be loaded");
    let id = escalation.id;
    assert!(html.contains("Visit overdue: Maja Test"), "the inbox still shows offline: {html}");
    assert!(html.contains("No connection to the server."), "says why in plain words: {html}");
    assert!(html.contains("once the phone reaches the server"));
    assert!(html.contains(&format!("<label for=\"duty-{id}\">Duty worker<")), "{html}");
    let select = select_with_id(&html, &format!("duty-{id}"));
    assert!(select.contains("disabled"), "nobody can be chosen: {select}");
    assert!(!html.contains("staff id"), "no id to type any more: {html}");
    let assign = html.find(">Assign duty cover<").expect("assign button");
    let button_start = html[..assign].rfind("<button").expect("button");
    assert!(html[button_start..assign].contains("disabled"), "{}", &html[button_start..assign]);
}

#[test]
fn the_cover_form_offers_the_servers_duty_workers_by_name() {
    let dana = Worker {
        id: WorkerId::new(),
        name: "Dana Duty".into(),
        role: Role::DutyWorker,
        team: Some(TeamId::new()),
    };
    let dev = Worker { id: WorkerId::new(), name: "Dev Night".into(), role: Role::DutyWorker, team: None };
    // A server that answers only the duty workers' list (and the inbox's escalations).
    let child = child("Maja", "Test", false);
    let escalation = overdue(&child);
    let (staff, open) = (vec![dana.clone(), dev.clone()], vec![escalation.clone()]);
    let staff_list = move |query: axum::extract::RawQuery| async move {
        if query.0.as_deref() == Some("role=duty_worker") {
            axum::Json(serde_json::json!(staff)).into_response()
        } else {
            axum::http::StatusCode::BAD_REQUEST.into_response()
        }
    };
    let (address, server) = stub_server(
        axum::Router::new()
            .route("/api/staff", axum::routing::get(staff_list))
            .route("/api/escalations", axum::routing::get(move || async move { axum::Json(open) })),
    );
    let app = AppUnderTest::signed_in_to(&address, Role::TeamManager, &[(child, vec![])], &[], &[], |_| {});
    app.unlock();
    let html = app.render("/inbox", "Dev Night");
    let id = escalation.id;
    assert!(html.contains("Visit overdue: Maja Test"), "{html}");
    assert!(html.contains(&format!("<label for=\"duty-{id}\">Duty worker<")), "{html}");
    let select = select_with_id(&html, &format!("duty-{id}"));
    assert!(!select.contains("disabled"), "the manager can choose: {select}");
    assert!(select.contains(">Choose a duty worker<"), "{select}");
    for worker in [&dana, &dev] {
        assert!(select.contains(&format!("value=\"{}\"", worker.id)), "{worker:?} offered by id: {select}");
        assert!(select.contains(&format!(">{}<", worker.name)), "{worker:?} shown by name: {select}");
    }
    assert!(!html.contains("could not be loaded"), "{html}");
    drop(app);
    drop(server);
}

/// The server's list of held visits: one visit to `child`, held as not on the worker's caseload.
fn one_held_visit_naming(child: &Child) -> serde_json::Value {
    serde_json::json!([{
        "visit_id": VisitId::new(),
        "revision": 1,
        "reason": "The child is not on this worker's caseload",
        "held_at": Utc::now(),
        "visit": seen_visit(child, today(), "We went to the beach."),
    }])
}

/// A child's record on the phone that cannot be read (its file damaged) leaves the held visits
/// usable: the manager is told plainly why no child is offered to link a visit to, and can
/// still accept a visit or mark it entered in error. (An empty list alone would say there is
/// no other child on the phone, which is not what happened.)
#[test]
fn with_a_childs_record_unreadable_the_held_visits_say_why_no_child_is_offered() {
    let alfie = child("Alfie", "Test", false);
    let held = one_held_visit_naming(&alfie);
    let (address, server) = stub_server(
        axum::Router::new().route("/api/review", axum::routing::get(move || async move { axum::Json(held) })),
    );
    let app = AppUnderTest::signed_in_to_then(
        &address,
        Role::TeamManager,
        &[(alfie, vec![])],
        &[],
        &[],
        |_| {},
        |dir| {
            // Another child's record, as damage would leave it: bytes the store never sealed.
            let db = open_released(dir);
            let children = db.open_tree("children").expect("children's tree");
            children.insert(shared::ChildId::new().as_bytes(), b"damaged".as_slice()).expect("written");
            db.flush().expect("flushed");
        },
    );
    app.unlock();
    let html = app.render("/inbox/held", "id=\"held-children-unread\"");
    assert!(
        html.contains("The children on this phone could not be read"),
        "says why no child is offered: {html}"
    );
    assert!(html.contains("Accepting a visit or marking it entered in error still works."), "{html}");
    assert!(html.contains("Visit on") && html.contains(": Alfie Test"), "the held visit is shown: {html}");
    assert!(html.contains(">Accept for this child<") && html.contains(">Entered in error<"), "{html}");
    assert!(!html.contains("Alfie Test</option>"), "no child offered: {html}");
    assert!(!html.contains("No other child is on this phone"), "the phone could not tell: {html}");
    drop(app);
    drop(server);
}

/// The sled database in `dir`, opened once the store that seeded it has let go of it.
fn open_released(dir: &std::path::Path) -> sled::Db {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        match sled::open(dir) {
            Ok(db) => return db,
            Err(_) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(5))
            }
            Err(e) => panic!("the store's directory stayed locked: {e}"),
        }
    }
}

/// A manager who opens the held visits straight after signing in, while the first sync is still
/// bringing the team's children, is told no other child is on the phone yet, and is offered
/// each child to link to as it arrives. (The list was read once, when the screen opened: a
/// child the sync brought later was never offered.)
#[test]
fn a_child_the_first_sync_brings_after_the_held_visits_open_is_offered_for_linking() {
    let alfie = child("Alfie", "Test", false);
    let ellie = child("Ellie", "Test", false);
    let held = one_held_visit_naming(&alfie);
    // The server answers the held visits at once, and the first pull only after a second.
    let (address, server) = stub_server(
        pull_bringing_after_a_second(&ellie)
            .route("/api/review", axum::routing::get(move || async move { axum::Json(held) })),
    );
    let app = AppUnderTest::signed_in_to(&address, Role::TeamManager, &[(alfie, vec![])], &[], &[], |_| {});
    app.unlock();
    // Until then the phone holds only the child the visit names, and the screen says why no
    // child is offered (an empty list said nothing).
    let none = "No other child is on this phone to link it to.";
    let seen = app.render_through("/inbox/held", &[none, ">Ellie Test</option>"]);
    let html = &seen[1];
    assert!(html.contains("Visit on") && html.contains(": Alfie Test"), "the held visit names Alfie: {html}");
    assert!(!html.contains(">Alfie Test</option>"), "the child it names is not offered: {html}");
    assert!(!html.contains(none), "{html}");
    drop(app);
    drop(server);
}

/// A child's page, or their handover, opened before the sync has brought the child (from a
/// link, or a child newly allocated) says so, and shows the child as soon as the sync does.
/// (Each showed "Something went wrong" and "This child is not on this phone" until the worker
/// left the screen.) With no handover from the server, the handover shows what the phone holds.
#[test]
fn a_childs_page_or_handover_opened_before_the_sync_brings_them_shows_them_when_it_does() {
    let ellie = child("Ellie", "Test", false);
    let screens = [
        ("", "child-not-here", "This child is not on this phone yet.", "Last seen alone"),
        (
            "/handover",
            "handover-not-here",
            "Neither the server nor this phone has this child",
            "This is what the phone holds",
        ),
    ];
    for (screen, waiting_id, waiting_words, arrived_words) in screens {
        let (address, server) = stub_server(pull_bringing_after_a_second(&ellie));
        let app = AppUnderTest::signed_in_to(&address, Role::SocialWorker, &[], &[], &[], |_| {});
        app.unlock();
        // One screen, opened before the pull answers and kept open while it does.
        let path = format!("/child/{}{screen}", ellie.id);
        let seen = app.render_through(&path, &[&format!("id=\"{waiting_id}\""), arrived_words]);
        let (waiting, arrived) = (&seen[0], &seen[1]);
        assert!(waiting.contains(waiting_words), "{path}: {waiting}");
        assert!(!waiting.contains("Something went wrong"), "{path}: {waiting}");
        assert!(arrived.contains("Ellie Test"), "{path}: {arrived}");
        assert!(!arrived.contains("not on this phone"), "{path}: {arrived}");
        drop(app);
        drop(server);
    }
}

/// A child's age on their page is on the service's date, not the phone's. On a training
/// service whose clock runs three days ahead, a child whose eighth birthday is the service's
/// today is 8, though the phone's own calendar still says 7.
#[test]
fn a_childs_age_is_on_the_services_date_not_the_phones() {
    let training = shared::sync::AuthoritySettings::new(
        shared::CalendarName::Jersey,
        &shared::BusinessClock::with_offset(shared::Tz::Europe__Jersey, chrono::Duration::days(3)),
        shared::ScheduleRules::default(),
    );
    let service_today = training.today_at(Utc::now());
    let eighth_birthday = service_today.checked_sub_months(chrono::Months::new(96)).expect("a date");
    let ellie = Child { date_of_birth: Some(eighth_birthday), ..child("Ellie", "Test", false) };
    let app = AppUnderTest::prepared(&[(ellie.clone(), vec![])], &[], &[], |store| {
        let mut session = store.session().expect("read").expect("signed in");
        session.settings = Some(training);
        store.save_session(&session).expect("saved");
    });
    app.unlock();
    let page = app.render(&format!("/child/{}", ellie.id), "Record TEST-Ellie");
    assert!(page.contains("Age 8."), "{page}");
}

/// A handover opened without the server's answer shows what the phone holds, and becomes the
/// server's after the next sync, without the screen going blank while the server is asked.
#[test]
fn a_handover_becomes_the_servers_after_a_sync_and_stays_on_screen_meanwhile() {
    let ellie = child("Ellie", "Test", false);
    let handover = fixtures::handover(ellie.clone());
    // The first ask finds no signal; any later one is answered, a second late.
    let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let answer = move || {
        let (asked, handover) = (asked.clone(), handover.clone());
        async move {
            if asked.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                return axum::http::StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            axum::Json(handover).into_response()
        }
    };
    let (address, server) = stub_server(
        pull_bringing_after_a_second(&ellie)
            .route(&format!("/api/children/{}/handover", ellie.id), axum::routing::get(answer)),
    );
    let app = AppUnderTest::signed_in_to(
        &address,
        Role::SocialWorker,
        &[(ellie.clone(), vec![])],
        &[],
        &[],
        |_| {},
    );
    app.unlock();
    let handover = format!("/child/{}/handover", ellie.id);
    for html in &app.renders_from(&handover, "This is what the phone holds", "From the server, just now.") {
        assert!(html.contains("Handover: Ellie Test"), "the handover stays on screen meanwhile: {html}");
    }
    drop(app);
    drop(server);
}

/// A child's chronology, opened from the desk, is read again (with its PDF) after a sync brings
/// something new, and stays on screen meanwhile: a visit synced while a manager has it open is
/// in it, not only after they leave and come back.
#[test]
fn a_childs_chronology_on_the_desk_is_read_again_after_a_sync_and_stays_on_screen_meanwhile() {
    let maja = child("Maja", "Test", false);
    let synced = seen_visit(&maja, today(), "I like my school");
    let (pull, pulled) =
        pull_after_a_second(vec![shared::sync::ChangeEvent::Visit { visit: Box::new(synced) }]);
    // The server's chronology: one event, and the visit as well once the phone has synced.
    let chronology = move || {
        let pulled = pulled.clone();
        async move {
            let mut entries = vec![serde_json::json!({ "date": "2026-09-01", "summary": "Plan started." })];
            if pulled.load(std::sync::atomic::Ordering::SeqCst) {
                entries.push(serde_json::json!({ "date": today(), "summary": "Visit: seen, seen alone." }));
            }
            axum::Json(serde_json::json!({
                "central_id": "DEMO-0099", "child_name": "Maja Test", "date_of_birth": "2017-05-09", "entries": entries,
            }))
        }
    };
    let (address, server) = stub_server(
        pull.route(&format!("/api/children/{}/chronology", maja.id), axum::routing::get(chronology)),
    );
    let app =
        AppUnderTest::signed_in_to(&address, Role::TeamManager, &[(maja.clone(), vec![])], &[], &[], |_| {});
    app.unlock();
    let renders = app.renders_from(&format!("/desk/child/{}", maja.id), "1 event.", "2 events.");
    for html in &renders {
        assert!(html.contains("Chronology: Maja Test"), "the chronology stays on screen meanwhile: {html}");
        assert!(html.contains("Plan started."), "{html}");
        assert!(!html.contains("Fetching the chronology"), "{html}");
    }
    assert!(renders[renders.len() - 1].contains("Visit: seen, seen alone."));
    drop(app);
    drop(server);
}

/// The chronology's two files, PDF and CSV, are each one press away as the screen opens, and
/// are fetched again after a sync brings something new: a manager never saves a CSV (or PDF)
/// that lacks the visit the table above it shows.
#[test]
fn a_childs_chronology_files_are_fetched_again_after_a_sync() {
    let maja = child("Maja", "Test", false);
    let synced = seen_visit(&maja, today(), "I like my school");
    let (pull, pulled) =
        pull_after_a_second(vec![shared::sync::ChangeEvent::Visit { visit: Box::new(synced) }]);
    let chronology = move |axum::extract::Query(query): axum::extract::Query<
        std::collections::HashMap<String, String>,
    >| {
        let pulled = pulled.clone();
        async move {
            let synced = pulled.load(std::sync::atomic::Ordering::SeqCst);
            let mut rows = vec!["2026-09-01,Plan started.".to_owned()];
            if synced {
                rows.push(format!("{},Visit: seen, seen alone.", today()));
            }
            match query.get("format").map(String::as_str) {
                Some("csv") => {
                    ([("content-type", "text/csv")], format!("date,summary\n{}\n", rows.join("\n")))
                        .into_response()
                }
                Some("pdf") => {
                    ([("content-type", "application/pdf")], format!("%PDF-1.7 {} rows", rows.len()))
                        .into_response()
                }
                _ => axum::Json(serde_json::json!({
                    "central_id": "DEMO-0099", "child_name": "Maja Test", "date_of_birth": "2017-05-09",
                    "entries": rows.iter().map(|row| {
                        let (date, summary) = row.split_once(',').expect("a row");
                        serde_json::json!({ "date": date, "summary": summary })
                    }).collect::<Vec<_>>(),
                }))
                .into_response(),
            }
        }
    };
    let (address, server) = stub_server(
        pull.route(&format!("/api/children/{}/chronology", maja.id), axum::routing::get(chronology)),
    );
    let app =
        AppUnderTest::signed_in_to(&address, Role::TeamManager, &[(maja.clone(), vec![])], &[], &[], |_| {});
    app.unlock();
    // What each link would save, as the manager sees the screen.
    let saved = |html: &str, format: &str| -> Option<String> {
        let link = html.split(&format!("id=\"download-{format}\"")).nth(1)?;
        let encoded = link.split("base64,").nth(1)?.split('"').next()?;
        use base64::Engine as _;
        let bytes = base64::engine::general_purpose::STANDARD.decode(encoded).expect("base64");
        Some(String::from_utf8(bytes).expect("text"))
    };
    let renders = app.renders_until_accepted(
        &format!("/desk/child/{}", maja.id),
        "both files with the synced visit",
        |html| {
            saved(html, "csv").is_some_and(|csv| csv.contains("Visit: seen, seen alone."))
                && saved(html, "pdf").as_deref() == Some("%PDF-1.7 2 rows")
        },
    );
    let first = renders.iter().position(|html| saved(html, "csv").is_some()).expect("the CSV is offered");
    let csv_first = saved(&renders[first], "csv").expect("the CSV");
    assert!(csv_first.contains("Plan started.") && !csv_first.contains("Visit:"), "{csv_first}");
    // Once offered, each link stays while the newer file is fetched.
    for html in &renders[first..] {
        assert!(saved(html, "csv").is_some(), "the CSV link stays: {html}");
        assert!(!html.contains("Preparing the CSV"), "{html}");
    }
    let settled = &renders[renders.len() - 1];
    assert!(settled.contains("2 events."), "the table and the files agree: {settled}");
    drop(app);
    drop(server);
}

/// The desk's "supervision and meetings due" is read again after a sync, like the rest of the
/// desk: agreed actions that fell past their date show without leaving the desk.
#[test]
fn the_desks_plans_due_are_read_again_after_a_sync() {
    let maja = child("Maja", "Test", false);
    let (pull, pulled) =
        pull_after_a_second(vec![shared::sync::ChangeEvent::Child { child: Box::new(maja.clone()) }]);
    let desk = axum::Json(serde_json::json!({
        "as_of": today(), "children_due": [], "open_escalations": [], "escalations_by_age": [],
        "held_visits": 0, "conflicts": 0, "covers": [], "months": [], "workers": [], "escalation_months": [],
    }));
    let child_id = maja.id;
    let plans = move || {
        let pulled = pulled.clone();
        async move {
            let synced = pulled.load(std::sync::atomic::Ordering::SeqCst);
            axum::Json(if synced {
                serde_json::json!([{
                    "child_id": child_id, "central_id": "DEMO-0099",
                    "supervision": { "due": today() + chrono::Duration::days(30), "overdue": false },
                    "actions_overdue": 2,
                }])
            } else {
                serde_json::json!([])
            })
        }
    };
    let (address, server) = stub_server(
        pull.route("/api/desk", axum::routing::get(move || std::future::ready(desk.clone())))
            .route("/api/plans/due", axum::routing::get(plans)),
    );
    let app =
        AppUnderTest::signed_in_to(&address, Role::TeamManager, &[(maja.clone(), vec![])], &[], &[], |_| {});
    app.unlock();
    let renders = app.renders_from(
        "/desk",
        "No core group, review conference or supervision",
        "2 agreed actions past their date",
    );
    for html in &renders {
        assert!(html.contains("Supervision and meetings due"), "{html}");
        assert!(!html.contains("Fetching the plans"), "the last reading stays on screen meanwhile: {html}");
    }
    assert!(renders[renders.len() - 1].contains("Maja Test"), "{}", renders[renders.len() - 1]);
    drop(app);
    drop(server);
}

/// Tara Manager's standing decision that `child` need not be seen alone, from three days ago
/// for a month, and the same decision as Mo Manager ended it: its last day was yesterday.
fn decision_and_its_end(child: &Child) -> (shared::SeenAloneDecision, shared::SeenAloneDecision) {
    let day = |ahead: i64| today() + chrono::Duration::days(ahead);
    let in_force = shared::SeenAloneDecision {
        id: shared::SeenAloneDecisionId::new(),
        child_id: child.id,
        reason: "Four months old".into(),
        starts_on: day(-3),
        ends_on: day(30),
        decided_by: WORKER,
        decided_by_name: "Tara Manager".into(),
        decided_at: Utc::now(),
        ended: None,
    };
    let ended = shared::SeenAloneDecision {
        ended: Some(shared::SeenAloneDecisionEnd {
            last_day: day(-1),
            reason: "She is talking now".into(),
            ended_by: WORKER,
            ended_by_name: "Mo Manager".into(),
            ended_at: Utc::now(),
        }),
        ..in_force.clone()
    };
    (in_force, ended)
}

/// The visit form opens on the standing decisions kept on the phone, and with signal takes the
/// server's as soon as it answers: one ended since the phone last asked then covers nothing,
/// and the form says the manager will be asked, not that nothing goes to them.
#[test]
fn the_visit_form_takes_the_servers_word_that_a_standing_decision_has_ended() {
    let maja = child("Maja", "Test", false);
    let (kept, ended) = decision_and_its_end(&maja);
    let draft = draft_seen_not_alone(&maja);
    let answer = move || {
        let ended = ended.clone();
        async move {
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            axum::Json(vec![ended])
        }
    };
    let (address, server) = stub_server(
        axum::Router::new()
            .route(&format!("/api/children/{}/seen-alone-decisions", maja.id), axum::routing::get(answer)),
    );
    let app = AppUnderTest::signed_in_to(
        &address,
        Role::SocialWorker,
        &[(maja.clone(), vec![])],
        &[],
        &[draft],
        |store| {
            store.save_seen_alone_decisions(maja.id, &[kept]).expect("decisions kept");
        },
    );
    app.unlock();
    let seen = app.render_through(
        &format!("/child/{}/visit", maja.id),
        &[
            "This visit is covered, so nothing goes to your manager.",
            "Your manager will be asked to agree or disagree.",
        ],
    );
    assert!(!seen[1].contains("nothing goes to your manager"), "{}", seen[1]);
    assert!(seen[1].contains("Why was the child not seen alone?"), "the same form, still open: {}", seen[1]);
    drop(app);
    drop(server);
}

/// A standing decision that another manager ends is gone from the child's page, and from the
/// visit form's words, at the next sync: a worker does not go on reading that the child need
/// not be seen alone, or that a visit without it goes to nobody.
#[test]
fn a_standing_decision_ended_elsewhere_is_gone_from_the_page_and_the_visit_form_after_the_next_sync() {
    let maja = child("Maja", "Test", false);
    let (in_force, ended) = decision_and_its_end(&maja);
    let draft = draft_seen_not_alone(&maja);
    let screens = [
        ("", "Maja need not be seen alone", "Last seen alone"),
        (
            "/visit",
            "This visit is covered, so nothing goes to your manager.",
            "Your manager will be asked to agree or disagree.",
        ),
    ];
    for (screen, until_the_sync, after_it) in screens {
        // The server holds the decision in force until the pull, a second late, answers; by
        // then another manager has ended it.
        let (pull, pulled) = pull_after_a_second(vec![]);
        let (in_force, ended) = (in_force.clone(), ended.clone());
        let decisions = move || {
            let answer = if pulled.load(std::sync::atomic::Ordering::SeqCst) { &ended } else { &in_force };
            let answer = vec![answer.clone()];
            async move { axum::Json(answer) }
        };
        let (address, server) = stub_server(pull.route(
            &format!("/api/children/{}/seen-alone-decisions", maja.id),
            axum::routing::get(decisions),
        ));
        let app = AppUnderTest::signed_in_to(
            &address,
            Role::SocialWorker,
            &[(maja.clone(), vec![])],
            &[],
            std::slice::from_ref(&draft),
            |_| {},
        );
        app.unlock();
        // One screen, kept open across the sync.
        let path = format!("/child/{}{screen}", maja.id);
        let renders = app.renders_until_gone(&path, until_the_sync);
        let last = &renders[renders.len() - 1];
        assert!(last.contains(after_it), "{path}: {last}");
        assert!(last.contains("Maja Test"), "{path}: the same screen: {last}");
        drop(app);
        drop(server);
    }
}

#[test]
fn a_social_worker_has_no_inbox_tab() {
    let child = child("Maja", "Test", false);
    let app = AppUnderTest::new(&[(child, vec![])], &[], &[]);
    app.unlock();
    let html = app.render("/", "Maja Test");
    assert!(!html.contains("id=\"nav-inbox\""));
    assert!(!html.contains("id=\"nav-desk\""), "a social worker has no desk");
}

/// A "not seen alone" escalation about `visit`, answered by Tara Manager on `on` at noon.
fn answered_not_alone(
    child: &Child,
    visit: &shared::Visit,
    on: chrono::NaiveDate,
    disagreed: bool,
) -> Escalation {
    let at: chrono::DateTime<Utc> = fixtures::at_on(on, 12, 0).into();
    let action = if disagreed {
        EscalationAction::SeenAloneDisagreed {
            reason: "See her at school on Monday, with her teacher".into(),
        }
    } else {
        EscalationAction::SeenAloneAgreed { reason: "She was unwell".into() }
    };
    let entry = |step: EscalationStep, by: Option<&str>| EscalationEntry {
        at,
        on,
        step,
        level: EscalationLevel::TeamManager,
        to: Some(WORKER),
        by: by.map(|_| WORKER),
        by_name: by.map(str::to_owned),
        text: String::new(),
    };
    Escalation {
        id: EscalationId::new(),
        child_id: child.id,
        reason: EscalationReason::NotSeenAlone { visit_id: visit.id },
        level: EscalationLevel::TeamManager,
        to: Some(WORKER),
        raised_at: at - chrono::Duration::hours(2),
        re_raised_at: None,
        history: vec![
            entry(EscalationStep::Acknowledged { action }, Some("Tara Manager")),
            entry(EscalationStep::Closed, Some("Tara Manager")),
        ],
        basis: None,
        status: EscalationStatus::Closed { explanation: "Answered by Tara Manager.".into(), at },
    }
}

#[test]
fn a_managers_word_that_the_child_must_be_seen_alone_is_on_their_page_until_they_are() {
    let child = child("Maja", "Test", false);
    let day = |back: i64| today() - chrono::Duration::days(back);
    let not_alone = fixtures::not_alone(
        seen_visit(&child, day(6), "I like the fish"),
        "She wanted her mum",
        &["mother"],
        false,
    );
    let disagreed = answered_not_alone(&child, &not_alone, day(5), true);

    // The answer closed the escalation, so it is not among the open ones: the page says it,
    // and so does the handover a duty worker covering the child reads first.
    let covering = [cover(&child, today())];
    let app = AppUnderTest::prepared(&[(child.clone(), vec![not_alone.clone()])], &covering, &[], |store| {
        store.put_escalation(&disagreed).expect("escalation kept");
    });
    app.unlock();
    let html = app.render(&format!("/child/{}", child.id), "must be seen alone");
    let said = format!(
        "Tara Manager decided on {} that Maja must be seen alone: See her at school on Monday, with her teacher.",
        day(5).format("%d/%m/%Y")
    );
    assert!(html.contains(&said), "{html}");
    assert!(
        html.find("seen-alone-instruction") < html.find("id=\"start-visit\""),
        "read before starting the visit"
    );
    let handover = app.render(&format!("/child/{}/handover", child.id), "I have read this: start the visit");
    assert!(handover.contains(&said), "{handover}");

    // Seen alone at a visit since: the word has been acted on, and goes.
    let since = seen_visit(&child, day(2), "We fed the fish");
    let app = AppUnderTest::prepared(&[(child.clone(), vec![not_alone.clone(), since])], &[], &[], |store| {
        store.put_escalation(&disagreed).expect("escalation kept");
    });
    app.unlock();
    let html = app.render(&format!("/child/{}", child.id), "Last seen alone");
    assert!(!html.contains("must be seen alone"), "{html}");

    // A manager who agreed gives no such word.
    let agreed = answered_not_alone(&child, &not_alone, day(5), false);
    let app = AppUnderTest::prepared(&[(child.clone(), vec![not_alone])], &[], &[], |store| {
        store.put_escalation(&agreed).expect("escalation kept");
    });
    app.unlock();
    let html = app.render(&format!("/child/{}", child.id), "Last seen alone");
    assert!(!html.contains("must be seen alone"), "{html}");
}

/// The server's handover carries a manager's word that the child must be seen alone, for a
/// phone that never held the escalation it answered (it was closed before the cover began).
/// The kept copy still shows it out of signal, until a visit on the phone sees the child alone.
#[test]
fn the_handover_shows_the_servers_word_that_the_child_must_be_seen_alone_until_a_visit_does() {
    let child = child("Maja", "Test", false);
    let day = |back: i64| today() - chrono::Duration::days(back);
    let handover = shared::sync::Handover {
        cover: Some(cover(&child, today())),
        seen_alone_instruction: Some(shared::SeenAloneInstruction {
            by: "Tara Manager".into(),
            on: day(5),
            at: fixtures::at_on(day(5), 12, 0).into(),
            what: "See her at school on Monday, with her teacher.".into(),
        }),
        ..fixtures::handover(child.clone())
    };
    let said = format!(
        "Tara Manager decided on {} that Maja must be seen alone: See her at school on Monday, with her teacher.",
        day(5).format("%d/%m/%Y")
    );
    let covering = [cover(&child, today())];
    let path = format!("/child/{}/handover", child.id);
    let app = AppUnderTest::prepared(&[(child.clone(), Vec::new())], &covering, &[], |store| {
        store.save_handover(&handover, None).expect("handover kept");
    });
    app.unlock();
    let html = app.render(&path, "I have read this: start the visit");
    assert!(html.contains(&said), "{html}");
    // The child's page, and the visit itself, say it too.
    let page = app.render(&format!("/child/{}", child.id), "must be seen alone");
    assert!(page.contains(&said), "{page}");
    let visit = app.render(&format!("/child/{}/visit", child.id), "Saved on this phone");
    assert!(visit.contains(&said), "{visit}");

    // A visit on the phone since has seen her alone: the word has been acted on.
    let since = seen_visit(&child, day(2), "We fed the fish");
    let app = AppUnderTest::prepared(&[(child.clone(), vec![since])], &covering, &[], |store| {
        store.save_handover(&handover, None).expect("handover kept");
    });
    app.unlock();
    let html = app.render(&path, "I have read this: start the visit");
    assert!(!html.contains("must be seen alone"), "{html}");
}

/// At the door the visit form is what the worker has open: a manager's word that the child must
/// be seen alone is said before the first question, and again where the worker says why not,
/// even when it is given while the form is open.
#[test]
fn the_visit_form_says_a_managers_word_that_the_child_must_be_seen_alone() {
    let child = child("Maja", "Test", false);
    let day = |back: i64| today() - chrono::Duration::days(back);
    let not_alone = fixtures::not_alone(
        seen_visit(&child, day(6), "I like the fish"),
        "She wanted her mum",
        &["mother"],
        false,
    );
    let disagreed = answered_not_alone(&child, &not_alone, day(5), true);
    let draft = draft_seen_not_alone(&child);
    let path = format!("/child/{}/visit", child.id);

    let app = AppUnderTest::prepared(
        &[(child.clone(), vec![not_alone.clone()])],
        &[],
        std::slice::from_ref(&draft),
        |store| {
            store.put_escalation(&disagreed).expect("escalation kept");
        },
    );
    app.unlock();
    let html = app.render(&path, "Saved on this phone");
    let said_on = |on: chrono::NaiveDate| {
        format!(
            "Tara Manager decided on {} that Maja must be seen alone: See her at school on Monday, with her teacher.",
            on.format("%d/%m/%Y")
        )
    };
    let again_words = "Tara Manager decided that Maja must be seen alone. Your manager will be told.";
    assert!(
        position(&html, &said_on(day(5))) < position(&html, "Was Maja seen?"),
        "before the first question"
    );
    let again = position(&html, again_words);
    assert!(position(&html, "Was Maja seen alone?") < again);
    assert!(again < position(&html, "Why was the child not seen alone?"), "where the worker says why not");

    // No word standing: the form says nothing of it.
    let app = AppUnderTest::prepared(
        &[(child.clone(), vec![not_alone.clone()])],
        &[],
        std::slice::from_ref(&draft),
        |_| {},
    );
    app.unlock();
    let html = app.render(&path, "Saved on this phone");
    assert!(!html.contains("must be seen alone"), "{html}");

    // A word given while the worker is on this visit reaches the open form with the next sync.
    let disagreed_today = answered_not_alone(&child, &not_alone, day(0), true);
    let (pull, _) = pull_after_a_second(vec![shared::sync::ChangeEvent::Escalation {
        escalation: Box::new(disagreed_today),
    }]);
    let (address, server) = stub_server(pull);
    let app = AppUnderTest::signed_in_to(
        &address,
        Role::SocialWorker,
        &[(child.clone(), vec![not_alone])],
        &[],
        &[draft],
        |_| {},
    );
    app.unlock();
    let seen = app.render_through(&path, &["Saved on this phone", &said_on(day(0))]);
    assert!(!seen[0].contains("must be seen alone"), "not before the sync: {}", seen[0]);
    assert!(seen[1].contains(again_words), "and again by the worker's No: {}", seen[1]);
    drop(app);
    drop(server);
}

/// A manager decided in advance that the child need not be seen alone (a baby, say). The
/// child's page says so, and the visit form says a "No" to seen alone is covered and goes to
/// nobody, rather than that the manager will be asked.
#[test]
fn a_managers_standing_decision_is_on_the_childs_page_and_covers_the_visit() {
    let child = child("Maja", "Test", false);
    let day = |ahead: i64| today() + chrono::Duration::days(ahead);
    let decision = |starts: i64, ends: i64| shared::SeenAloneDecision {
        id: shared::SeenAloneDecisionId::new(),
        child_id: child.id,
        reason: "Four months old".into(),
        starts_on: day(starts),
        ends_on: day(ends),
        decided_by: WORKER,
        decided_by_name: "Tara Manager".into(),
        decided_at: Utc::now(),
        ended: None,
    };
    let draft = draft_seen_not_alone(&child);
    let words = format!(
        "Tara Manager decided that Maja need not be seen alone from {} to {}: Four months old.",
        day(-3).format("%d/%m/%Y"),
        day(30).format("%d/%m/%Y")
    );

    let covering = [decision(-3, 30)];
    let app =
        AppUnderTest::prepared(&[(child.clone(), vec![])], &[], std::slice::from_ref(&draft), |store| {
            store.save_seen_alone_decisions(child.id, &covering).expect("decisions kept");
        });
    app.unlock();
    let page = app.render(&format!("/child/{}", child.id), "need not be seen alone");
    assert!(page.contains(&words), "{page}");
    assert!(!page.contains("End this decision early"), "only a manager may end it: {page}");
    // So does the handover a duty worker reads before the visit.
    let handover = app.render(&format!("/child/{}/handover", child.id), "need not be seen alone");
    assert!(handover.contains(&words), "{handover}");
    let form = app.render(&format!("/child/{}/visit", child.id), "Saved on this phone");
    let covered =
        position(&form, &format!("{words} This visit is covered, so nothing goes to your manager."));
    assert!(position(&form, "Why was the child not seen alone?") < covered, "where the worker says why not");
    assert!(!form.contains("Your manager will be asked"), "{form}");

    // A decision that ended yesterday covers nothing today.
    let ended = [decision(-30, -1)];
    let app =
        AppUnderTest::prepared(&[(child.clone(), vec![])], &[], std::slice::from_ref(&draft), |store| {
            store.save_seen_alone_decisions(child.id, &ended).expect("decisions kept");
        });
    app.unlock();
    let page = app.render(&format!("/child/{}", child.id), "Last seen alone");
    assert!(!page.contains("need not be seen alone"), "{page}");
    let form = app.render(&format!("/child/{}/visit", child.id), "Saved on this phone");
    assert!(form.contains("Your manager will be asked to agree or disagree."), "{form}");

    // Nor does one a manager ended yesterday, though its own end is a month away: the copy
    // kept on the phone says so without signal.
    let mut ended_early = decision(-3, 30);
    ended_early.ended = Some(shared::SeenAloneDecisionEnd {
        last_day: day(-1),
        reason: "She is talking now".into(),
        ended_by: WORKER,
        ended_by_name: "Mo Manager".into(),
        ended_at: Utc::now(),
    });
    let app = AppUnderTest::prepared(&[(child.clone(), vec![])], &[], &[draft], |store| {
        store.save_seen_alone_decisions(child.id, &[ended_early]).expect("decisions kept");
    });
    app.unlock();
    let page = app.render(&format!("/child/{}", child.id), "Last seen alone");
    assert!(!page.contains("need not be seen alone"), "{page}");
    let form = app.render(&format!("/child/{}/visit", child.id), "Saved on this phone");
    assert!(form.contains("Your manager will be asked to agree or disagree."), "{form}");
}
