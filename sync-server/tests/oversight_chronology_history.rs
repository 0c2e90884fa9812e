//! A child's chronology shows the changes the central import made to their plan (issue 4:
//! "registration and plan changes"), from the history the store keeps of the central record,
//! with the values before and after; importing an unchanged record adds nothing.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::World;
use serde_json::{Value, json};
use shared::{ChildId, DeviceId};

const HEADER: &str = "central_id,given_name,family_name,date_of_birth,gender,sibling_central_ids,carers,carer_languages,child_first_language,child_interpreter_language,disability_and_communication,registered_on,deregistered_on,harms,visit_frequency_working_days,actions,latest_review_conference,key_worker_username,key_worker_name,team_code,team_name";

/// The child as first registered: neglect, every 10 working days, Sam as key worker.
const FIRST: &str = "CMS-70,Nia,Fernlow,2017-05-09,female,,,,,,,2025-01-06,,neglect,10,A1|Nursery to report attendance,,sam.social,,CPT9,Child Protection Team 9";
/// The plan after review: emotional abuse added, every 5 working days, Priya as key worker.
const CHANGED: &str = "CMS-70,Nia,Fernlow,2017-05-09,female,,,,,,,2025-01-06,,neglect;emotional,5,A1|Nursery to report attendance,,priya.field,,CPT9,Child Protection Team 9";
/// The plan ended, with an action added on the way out.
const ENDED: &str = "CMS-70,Nia,Fernlow,2017-05-09,female,,,,,,,2025-01-06,2025-06-30,neglect;emotional,5,A1|Nursery to report attendance;A2|Step-down review with family,,priya.field,,CPT9,Child Protection Team 9";

fn csv_file(row: &str) -> String {
    format!("{HEADER}\n{row}\n")
}

async fn import(world: &World, token: &str, row: &str) -> Value {
    let request = Request::post("/api/admin/import?format=csv")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "text/csv")
        .body(Body::from(csv_file(row)))
        .unwrap();
    let (status, report) = world.send(request).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["rejected"].as_u64(), Some(0), "{report}");
    report
}

/// Signs in the manager of the imported team (the import creates the team without one).
async fn team_manager(world: &World, admin: &str) -> String {
    let password = "a long enough manager password";
    let (status, body) = world
        .post(
            "/api/admin/accounts",
            admin,
            json!({
                "username": "nell.manager",
                "name": "Nell Manager",
                "role": "team_manager",
                "team": sync_server::import::team_id_for("CPT9"),
                "password": password,
            }),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    let (status, tokens) = world.try_login("nell.manager", password, DeviceId::new()).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens["access_token"].as_str().unwrap().to_owned()
}

/// CMS-70 imported from `row` by the administrator, with the imported team's manager signed in.
struct Imported {
    world: World,
    admin: String,
    manager: String,
    id: ChildId,
}

async fn imported(row: &str) -> Imported {
    let world = World::new().await;
    let admin = world.login("adam.admin").await.access().to_owned();
    import(&world, &admin, row).await;
    let manager = team_manager(&world, &admin).await;
    let id = world.child("CMS-70").await.id;
    Imported { world, admin, manager, id }
}

fn plan_changes(chronology: &Value) -> Vec<&Value> {
    chronology["entries"].as_array().unwrap().iter().filter(|e| e["kind"] == "plan_changed").collect()
}

fn change<'a>(entry: &'a Value, field: &str) -> (&'a str, &'a str) {
    let found = entry["plan_changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["field"] == field)
        .unwrap_or_else(|| panic!("no {field} change in {entry}"));
    (found["before"].as_str().unwrap(), found["after"].as_str().unwrap())
}

/// A plan for daily visits (a frequency of 1 is allowed) is worded for one day, and so is the
/// change away from it.
#[tokio::test]
async fn a_plan_for_daily_visits_reads_every_1_working_day_in_the_chronology() {
    let Imported { world, admin, manager, id } =
        imported(&FIRST.replace(",neglect,10,", ",neglect,1,")).await;
    let path = format!("/api/children/{id}/chronology?format=json");
    let (status, first) = world.get(&path, &manager).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let registered = first["entries"][0]["summary"].as_str().unwrap();
    assert!(registered.contains("Visits every 1 working day. Key worker:"), "{registered}");

    import(&world, &admin, &FIRST.replace(",neglect,10,", ",neglect,2,")).await;
    let (_, chronology) = world.get(&path, &manager).await;
    let changed = plan_changes(&chronology)[0]["summary"].as_str().unwrap();
    assert!(changed.contains("visits every 2 working days (was 1)"), "{changed}");
}

#[tokio::test]
async fn plan_changes_from_reimports_appear_in_the_chronology_with_before_and_after() {
    let Imported { world, admin, manager, id } = imported(FIRST).await;
    let path = format!("/api/children/{id}/chronology?format=json");

    let (status, first) = world.get(&path, &manager).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["entries"][0]["kind"], "registered");
    assert!(plan_changes(&first).is_empty(), "a first import is registration, not a change: {first}");

    let report = import(&world, &admin, CHANGED).await;
    assert_eq!(report["updated"].as_u64(), Some(1), "{report}");
    let (status, chronology) = world.get(&path, &manager).await;
    assert_eq!(status, StatusCode::OK);
    let changes = plan_changes(&chronology);
    assert_eq!(changes.len(), 1, "{chronology}");
    let entry = changes[0];
    assert_eq!(change(entry, "visit_frequency"), ("10", "5"));
    assert_eq!(change(entry, "harms"), ("neglect", "neglect and emotional abuse"));
    assert_eq!(change(entry, "key_worker"), ("Sam Social", "Priya Field"));
    assert!(entry["plan_changes"].as_array().unwrap().iter().all(|c| c["field"] != "actions"), "{entry}");
    let summary = entry["summary"].as_str().unwrap();
    assert!(summary.contains("visits every 5 working days (was 10)"), "{summary}");
    assert!(summary.contains("category added: emotional abuse"), "{summary}");
    assert!(summary.contains("key worker now Priya Field (was Sam Social)"), "{summary}");
    // Dated when the server recorded it, after registration, in the authority's time zone.
    let recorded = world.state.store().child_history(id).await.unwrap()[0]
        .recorded_at
        .with_timezone(&world.state.clock().time_zone());
    assert_eq!(entry["date"], recorded.date_naive().to_string());
    assert_eq!(entry["time"], recorded.format("%H:%M").to_string());
    let dates: Vec<&str> =
        chronology["entries"].as_array().unwrap().iter().map(|e| e["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "date order: {dates:?}");

    // The same file again: unchanged, and no history entry.
    let report = import(&world, &admin, CHANGED).await;
    assert_eq!(report["unchanged"].as_u64(), Some(1), "{report}");
    assert_eq!(world.state.store().child_history(id).await.unwrap().len(), 1);
    let (_, again) = world.get(&path, &manager).await;
    assert_eq!(plan_changes(&again).len(), 1, "{again}");

    // De-registration with an action added is a second change, after the first.
    import(&world, &admin, ENDED).await;
    let (_, chronology) = world.get(&path, &manager).await;
    let changes = plan_changes(&chronology);
    assert_eq!(changes.len(), 2, "{chronology}");
    let ended = changes[1];
    assert_eq!(change(ended, "deregistered_on"), ("", "30/06/2025"));
    assert_eq!(
        change(ended, "actions"),
        ("Nursery to report attendance", "Nursery to report attendance; Step-down review with family")
    );
    let summary = ended["summary"].as_str().unwrap();
    assert!(summary.contains("action added: \u{201c}Step-down review with family\u{201d}"), "{summary}");
    assert!(summary.contains("de-registered with effect from 30/06/2025"), "{summary}");
    // The first change is still there as it was: history is never rewritten.
    assert_eq!(changes[0], entry);
    let history = world.state.store().child_history(id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0].after, history[1].before);
    assert_eq!(history[0].source, sync_server::store::ChildSource::Import);
}

#[tokio::test]
async fn plan_changes_are_in_the_csv_and_printable_html_chronologies() {
    let Imported { world, admin, manager, id } = imported(FIRST).await;
    import(&world, &admin, CHANGED).await;
    let path = format!("/api/children/{id}/chronology");

    let (status, csv) = world.get(&format!("{path}?format=csv"), &manager).await;
    assert_eq!(status, StatusCode::OK);
    let csv = csv.as_str().unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let row = reader
        .records()
        .map(Result::unwrap)
        .find(|r| &r[2] == "Plan changed")
        .unwrap_or_else(|| panic!("no plan change row in {csv}"));
    assert!(row[3].contains("visits every 5 working days (was 10)"), "{:?}", &row[3]);
    assert!(row[3].contains("key worker now Priya Field (was Sam Social)"), "{:?}", &row[3]);

    let (status, html) = world.get(&format!("{path}?format=html"), &manager).await;
    assert_eq!(status, StatusCode::OK);
    let html = html.as_str().unwrap();
    assert!(html.contains("Plan changed"), "{html}");
    assert!(html.contains("visits every 5 working days (was 10)"), "{html}");
}

#[tokio::test]
async fn the_openapi_document_describes_plan_changes() {
    let world = World::new().await;
    let (status, doc) = world.call(axum::http::Method::GET, "/api/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let schemas = &doc["components"]["schemas"];
    assert!(
        schemas["ChronologyEntry"]["properties"]["plan_changes"].is_object(),
        "{}",
        schemas["ChronologyEntry"]
    );
    let fields = schemas["PlanField"].to_string();
    for field in ["harms", "visit_frequency", "key_worker", "actions", "deregistered_on"] {
        assert!(fields.contains(field), "{field} missing from {fields}");
    }
}

#[tokio::test]
async fn a_large_import_records_history_only_for_the_children_it_changed() {
    // 1,000 records or more take the import's bulk path, which compares stored bytes.
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    let others: Vec<String> = (0..1000)
        .map(|n| {
            format!(
                "CMS-B{n:04},Kit,Brackley,2018-02-0{},,,,,,,,2025-02-03,,neglect,10,,,sam.social,,CPT9,",
                n % 9 + 1
            )
        })
        .collect();
    let file = |row: &str| {
        let mut rows = others.clone();
        rows.push(row.to_owned());
        rows.join("\n")
    };
    let first = import(&world, admin.access(), &file(FIRST)).await;
    assert_eq!(first["created"].as_u64(), Some(1001), "{first}");
    let changed = import(&world, admin.access(), &file(CHANGED)).await;
    assert_eq!(
        (changed["updated"].as_u64(), changed["unchanged"].as_u64()),
        (Some(1), Some(1000)),
        "{changed}"
    );
    let store = world.state.store();
    let history = store.child_history(world.child("CMS-70").await.id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].before.plan.as_ref().unwrap().visit_frequency_working_days, 10);
    assert_eq!(history[0].after.plan.as_ref().unwrap().visit_frequency_working_days, 5);
    assert!(store.child_history(world.child("CMS-B0007").await.id).await.unwrap().is_empty());
}

// ---- The court-ready chronology (issue 12): PDF, checked with poppler's tools. ----

/// The bytes and headers of a GET.
/// Runs a poppler tool; the test fails with a clear message when it is missing.
fn poppler(tool: &str, args: &[&str]) -> String {
    let output = std::process::Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils, see scripts/install-deps) could not run: {e}"));
    assert!(output.status.success(), "{tool} failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The workspace's target/screenshots/.
fn screenshots() -> std::path::PathBuf {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A child in Tara's team with an amended visit (long facts, changed concerns) and an
/// escalation Tara acted on; answers the child and Tara's token.
async fn court_case(world: &World) -> (shared::Child, String) {
    let tara = world.login("tara.manager").await;
    let sam = world.login("sam.social").await;
    // The demo's DEMO-0001 is overdue: the sweep escalates it to Tara's team.
    sync_server::sweeper::sweep_store(&world.state, None, chrono::Utc::now()).await.unwrap();
    let child_id = world.child("DEMO-0001").await.id;
    let (status, open) = world.get("/api/escalations", tara.access()).await;
    assert_eq!(status, StatusCode::OK, "{open}");
    let escalation = open
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["child_id"] == json!(child_id))
        .expect("DEMO-0001 is escalated")
        .clone();
    let path = format!("/api/escalations/{}/acknowledge", escalation["id"].as_str().unwrap());
    let (status, done) = world
        .post(
            &path,
            tara.access(),
            json!({"action": "exception_agreed", "reason": "Family away at a funeral in Leeds"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{done}");

    let mut visit = common::visit(child_id, world.worker_id("sam.social").await);
    visit.observations.facts = "Kitchen clean; food in the fridge. ".repeat(120);
    visit.observations.concerns = "Bruise on left forearm, child said she fell.".into();
    let mut amended = common::amend(&visit, "grandmother's flat");
    amended.amendment_reason = Some("Concern recorded against the wrong arm".into());
    amended.observations.concerns = "Bruise on right forearm, child said she fell.".into();
    let outcomes = world.push_outcomes(&sam, &[visit, amended]).await;
    assert!(outcomes.iter().all(|o| common::outcome(o) == "accepted"), "{outcomes:?}");
    let events = format!("/api/children/{child_id}/significant-events");
    let (status, event) = world.post(&events, sam.access(), police_event()).await;
    assert_eq!(status, StatusCode::CREATED, "{event}");
    let child = world.state.store().child(child_id).await.unwrap().unwrap();
    (child, tara.access().to_owned())
}

#[tokio::test]
async fn the_pdf_chronology_has_the_marking_page_numbers_and_author_on_every_page() {
    let world = World::new().await;
    let (child, tara) = court_case(&world).await;
    let (status, headers, pdf) =
        world.get_raw(&format!("/api/children/{}/chronology?format=pdf", child.id), &tara).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION],
        format!("attachment; filename=\"chronology-{}.pdf\"", child.central_id).as_str()
    );
    assert!(pdf.starts_with(b"%PDF-"));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chronology.pdf");
    std::fs::write(&file, &pdf).unwrap();
    let file = file.to_str().unwrap();

    // A4, and every font embedded.
    let info = poppler("pdfinfo", &[file]);
    assert!(info.contains("595.28 x 841.89 pts (A4)"), "{info}");
    let fonts = poppler("pdffonts", &[file]);
    let font_rows: Vec<&str> = fonts.lines().skip(2).collect();
    assert!(!font_rows.is_empty(), "{fonts}");
    assert!(font_rows.iter().all(|row| row.contains("DejaVu") && row.contains(" yes ")), "{fonts}");

    // The text is real text: every page names the child and carries the marking, the author
    // and "page N of M".
    let text = poppler("pdftotext", &["-layout", file, "-"]);
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert!(pages.len() >= 2, "the long visit runs over a page: {} page(s)", pages.len());
    let today = world.state.now().with_timezone(&world.state.clock().time_zone());
    for (n, page) in pages.iter().enumerate() {
        assert!(page.contains(&format!("page {} of {}", n + 1, pages.len())), "page {}: {page}", n + 1);
        assert_eq!(page.matches("OFFICIAL-SENSITIVE").count(), 2, "marked top and bottom: {page}");
        assert!(page.contains(&child.display_name()), "{page}");
        assert!(page.contains(&format!("Child unique ID: {}", child.central_id)), "{page}");
        assert!(
            page.contains(&format!(
                "Date of birth: {}",
                child.date_of_birth.expect("born").format("%d/%m/%Y")
            )),
            "{page}"
        );
        assert!(
            page.contains(&format!("Produced by Tara Manager on {}", today.format("%d/%m/%Y"))),
            "{page}"
        );
        assert!(page.contains("UK time (Europe/London)"), "{page}");
    }
    // In reading order, unwrapped, the text reads as the records do.
    let flat = poppler("pdftotext", &[file, "-"]).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(flat.contains("Concerns: originally"), "{flat}");
    assert!(flat.contains("Bruise on left forearm, child said she fell."), "the original text");
    assert!(flat.contains("Bruise on right forearm, child said she fell."), "the new text");
    assert!(flat.contains("Reason: Concern recorded against the wrong arm"), "{flat}");
    assert!(flat.contains("Exception agreed: Family away at a funeral in Leeds."), "{flat}");
    assert!(flat.contains("Recorded by Tara Manager"), "the manager is named, not a role: {flat}");
    assert!(flat.contains("(continued)"), "a long entry breaks across pages and says so");
    assert!(flat.contains("Significant event (other agency)"), "{flat}");
    assert!(flat.contains("Source: Police (PC 1234, States of Jersey Police)"), "{flat}");
    assert!(flat.contains("Police called to the home after a neighbour heard shouting"), "{flat}");
    assert!(flat.contains("times are UK time (Europe/London)"), "{flat}");

    // Page 1 as a picture, and the whole PDF beside it, for people to look at.
    std::fs::write(screenshots().join("chronology.pdf"), &pdf).unwrap();
    let png = screenshots().join("chronology-page-1");
    poppler(
        "pdftoppm",
        &["-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", file, png.to_str().unwrap()],
    );
    assert!(std::fs::metadata(png.with_extension("png")).unwrap().len() > 10_000);

    // Filtered to other agencies' events: only those, and the PDF says it is filtered.
    let (status, _, filtered) = world
        .get_raw(
            &format!(
                "/api/children/{}/chronology?format=pdf&kinds=significant_event&from=2026-03-01",
                child.id
            ),
            &tara,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let file = dir.path().join("filtered.pdf");
    std::fs::write(&file, &filtered).unwrap();
    let text = poppler("pdftotext", &[file.to_str().unwrap(), "-"]);
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("FILTERED: this shows only events from 01/03/2026, of the kinds: significant event"),
        "{flat}"
    );
    assert!(flat.contains("Police called to the home"), "{flat}");
    assert!(!flat.contains("Bruise on"), "visits are filtered out: {flat}");
    assert!(flat.contains("page 1 of 1"), "{flat}");
}

// ---- Significant events from other agencies (issue 12): who may record them, their bounds. ----

fn police_event() -> Value {
    json!({
        "occurred_on": "2026-03-20",
        "occurred_at": "22:15",
        "agency": "police",
        "reported_by": "PC 1234, States of Jersey Police",
        "summary": "Police called to the home after a neighbour heard shouting; no arrest.",
    })
}

#[tokio::test]
async fn significant_events_are_recorded_by_workers_and_managers_in_scope_only() {
    let world = World::new().await;
    let child = world.child("DEMO-0001").await;
    let path = format!("/api/children/{}/significant-events", child.id);
    // In scope: the key worker, the team manager, a senior manager, a duty worker on cover.
    world.cover(child.id, "dana.duty", 0, 3).await;
    for who in ["sam.social", "tara.manager", "sian.senior", "dana.duty"] {
        let token = world.login(who).await;
        let (status, event) = world.post(&path, token.access(), police_event()).await;
        assert_eq!(status, StatusCode::CREATED, "{who}: {event}");
        assert_eq!(event["agency"], "police");
        assert_eq!(event["recorded_by"], json!(world.worker_id(who).await));
    }
    // Another team's worker and manager do not find the child; an administrator may not record.
    for who in ["tom.north", "mo.manager"] {
        let token = world.login(who).await;
        let (status, _) = world.post(&path, token.access(), police_event()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}");
        let (status, _) = world.get(&path, token.access()).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{who}");
    }
    let admin = world.login("adam.admin").await;
    let (status, _) = world.post(&path, admin.access(), police_event()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Kept as entered, oldest first; and each is audited without its words.
    let sam = world.login("sam.social").await;
    let (status, list) = world.get(&path, sam.access()).await;
    assert_eq!(status, StatusCode::OK);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 4);
    assert_eq!(list[0]["recorded_by_name"], "Sam Social");
    let audit = world.state.store().audit(Some(child.id)).await.unwrap();
    let recorded: Vec<_> = audit.iter().filter(|e| e.what.starts_with("significant event ")).collect();
    assert_eq!(recorded.len(), 4);
    assert!(audit.iter().all(|e| !e.what.contains("shouting")), "no record's words in the audit");
}

#[tokio::test]
async fn a_significant_event_out_of_bounds_is_refused_naming_the_field() {
    let world = World::new().await;
    let sam = world.login("sam.social").await;
    let path = format!("/api/children/{}/significant-events", world.child("DEMO-0001").await.id);
    let tomorrow = (world.today() + chrono::Duration::days(1)).to_string();
    let with = |field: &str, value: Value| {
        let mut body = police_event();
        body[field] = value;
        body
    };
    for (body, field) in [
        (with("summary", json!("   ")), "summary"),
        (with("summary", json!("x".repeat(4001))), "summary"),
        (with("occurred_on", json!(tomorrow)), "occurred_on"),
        (with("occurred_on", json!("1999-12-31")), "occurred_on"),
        (with("occurred_at", json!("25:00")), "occurred_at"),
        (with("reported_by", json!("r".repeat(201))), "reported_by"),
    ] {
        let (status, error) = world.post(&path, sam.access(), body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {error}");
        assert_eq!(error["fields"][0]["field"], field, "{error}");
    }
    let (status, error) = world.post(&path, sam.access(), with("agency", json!("astrologer"))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{error}");
    assert!(error.to_string().contains("agency"), "{error}");
    let (status, _) = world.post(&path, sam.access(), with("extra", json!(1))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        world.state.store().significant_events(world.child("DEMO-0001").await.id).await.unwrap().is_empty()
    );
}

#[tokio::test]
async fn the_chronology_is_multi_agency_and_filters_by_dates_and_kinds() {
    let world = World::new().await;
    let tara = world.login("tara.manager").await;
    let child = world.child("DEMO-0001").await;
    let events = format!("/api/children/{}/significant-events", child.id);
    // Dates back from today, among the demo's visits (seeded back from today too).
    let back = |days: u64| world.today().checked_sub_days(chrono::Days::new(days)).unwrap();
    let mut police = police_event();
    police["occurred_on"] = json!(back(60));
    let (status, _) = world.post(&events, tara.access(), police).await;
    assert_eq!(status, StatusCode::CREATED);
    let path = format!("/api/children/{}/chronology", child.id);

    let (_, all) = world.get(&path, tara.access()).await;
    let entries = all["entries"].as_array().unwrap();
    let event = entries.iter().find(|e| e["kind"] == "significant_event").expect("the police event");
    assert_eq!(event["source"], "Police (PC 1234, States of Jersey Police)");
    assert_eq!((event["date"].clone(), event["time"].as_str()), (json!(back(60)), Some("22:15")));
    assert!(event["summary"].as_str().unwrap().contains("Entered by Tara Manager"), "{event}");
    let dates: Vec<&str> = entries.iter().map(|e| e["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|w| w[0] <= w[1]), "still in date order: {dates:?}");
    assert!(all.get("filter").is_none(), "an unfiltered chronology says nothing of a filter");

    // A date range and kinds: only what was asked for, and the chronology says it is filtered.
    let (from, to) = (back(90), back(30));
    let (status, some) =
        world.get(&format!("{path}?from={from}&to={to}&kinds=significant_event,visit"), tara.access()).await;
    assert_eq!(status, StatusCode::OK, "{some}");
    let kept = some["entries"].as_array().unwrap();
    assert!(kept.iter().any(|e| e["kind"] == "significant_event"));
    assert!(kept.iter().any(|e| e["kind"] == "visit"), "{some}");
    assert!(kept.iter().all(|e| {
        ["significant_event", "visit", "missed_visit", "visit_overdue", "visit_voided"]
            .contains(&e["kind"].as_str().unwrap())
    }));
    let (from, to) = (from.to_string(), to.to_string());
    assert!(kept.iter().all(|e| (from.as_str()..=to.as_str()).contains(&e["date"].as_str().unwrap())));
    assert!(kept.len() < entries.len());
    assert_eq!(some["filter"]["kinds"], json!(["significant_event", "visit"]));
    let (_, one_kind) = world.get(&format!("{path}?kinds=registered"), tara.access()).await;
    assert_eq!(one_kind["entries"].as_array().unwrap().len(), 1, "{one_kind}");
    let (_, html) = world.get(&format!("{path}?format=html&kinds=escalation"), tara.access()).await;
    assert!(html.as_str().unwrap().contains("FILTERED: this shows only"), "a filtered print says so");

    // Bad values are refused, naming the parameter.
    for (query, field) in [
        ("from=31/03/2026", "from"),
        ("to=2026-02-30", "to"),
        ("from=1066-10-14", "from"),
        ("from=2026-05-01&to=2026-04-01", "from"),
        ("kinds=visit,astrology", "kinds"),
        ("kinds=", "kinds"),
    ] {
        let (status, error) = world.get(&format!("{path}?{query}"), tara.access()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {error}");
        assert_eq!(error["fields"][0]["field"], field, "{query}: {error}");
    }
    let too_many = vec!["visit"; 41].join(",");
    let (status, error) = world.get(&format!("{path}?kinds={too_many}"), tara.access()).await;
    assert_eq!((status, error["fields"][0]["field"].as_str()), (StatusCode::BAD_REQUEST, Some("kinds")));
}

#[tokio::test]
async fn the_pdf_chronology_is_for_the_same_people_as_the_others() {
    let world = World::new().await;
    let child = world.child("DEMO-0001").await;
    let path = format!("/api/children/{}/chronology?format=pdf", child.id);
    for (who, expected) in [
        ("sam.social", StatusCode::OK),
        ("tara.manager", StatusCode::OK),
        ("sian.senior", StatusCode::OK),
        ("tom.north", StatusCode::NOT_FOUND),
        ("mo.manager", StatusCode::NOT_FOUND),
        ("dana.duty", StatusCode::NOT_FOUND),
        ("adam.admin", StatusCode::NOT_FOUND),
    ] {
        let token = world.login(who).await;
        let (status, headers, body) = world.get_raw(&path, token.access()).await;
        assert_eq!(status, expected, "{who}");
        if status == StatusCode::OK {
            assert_eq!(headers[header::CONTENT_TYPE], "application/pdf", "{who}");
        } else {
            assert!(!body.starts_with(b"%PDF"), "{who} gets no PDF");
        }
    }
    let (status, _, _) = world.get_raw(&path, "not a token").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_csv_and_html_chronologies_carry_what_the_pdf_carries() {
    let world = World::new().await;
    let (child, tara) = court_case(&world).await;
    let path = format!("/api/children/{}/chronology", child.id);

    let (status, csv) = world.get(&format!("{path}?format=csv"), &tara).await;
    assert_eq!(status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(csv.as_str().unwrap().as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(&header[9..], ["Source", "Facts observed", "Concerns", "Amendments"]);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let amended = rows.iter().find(|r| r[12].contains("originally")).expect("the amended visit");
    assert_eq!(&amended[9], "visit record by Sam Social");
    assert_eq!(&amended[11], "Bruise on right forearm, child said she fell.");
    assert!(
        amended[12].contains("Concerns: originally \u{201c}Bruise on left forearm"),
        "{:?}",
        &amended[12]
    );
    assert!(amended[12].contains("Reason: Concern recorded against the wrong arm"));
    let police = rows.iter().find(|r| &r[2] == "Significant event (other agency)").expect("police");
    assert_eq!(&police[9], "Police (PC 1234, States of Jersey Police)");
    assert!(rows.iter().any(|r| r[3].contains("Recorded by Tara Manager")), "the manager by name");

    let (_, html) = world.get(&format!("{path}?format=html"), &tara).await;
    let html = html.as_str().unwrap();
    assert_eq!(html.matches("OFFICIAL-SENSITIVE").count(), 2, "marked top and bottom");
    assert!(html.contains("Produced by Tara Manager on "));
    assert!(html.contains("times are UK time (Europe/London)"));
    assert!(html.contains("Source: Police (PC 1234, States of Jersey Police)"));
    assert!(html.contains("Concerns: originally \u{201c}Bruise on left forearm"), "the original text");
    assert!(html.contains("<main>"), "a landmark for screen readers");
}

#[test]
fn safety_warnings_are_dated_in_the_authoritys_zone_across_the_clock_changes() {
    use chrono::{TimeZone, Utc};
    use shared::household::{SafetyWarning, SafetyWarningEnd, SafetyWarningKind};
    use sync_server::reports::add_safety_warnings;

    let (sam, tara) = (shared::WorkerId::new(), shared::WorkerId::new());
    let names =
        std::collections::HashMap::from([(sam, "Sam Social".to_owned()), (tara, "Tara Manager".to_owned())]);
    let utc = |y, m, d, h, min| Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap();
    // Recorded 00:30 UTC on the day British Summer Time starts (still GMT then); ended at
    // 23:30 UTC on a summer evening, which is 00:30 the next day in London.
    let warning = SafetyWarning {
        id: shared::SafetyWarningId::new(),
        child_ids: vec![ChildId::new()],
        kind: SafetyWarningKind::Animal,
        details: "Large dog, kept loose in the garden.".into(),
        recorded_by: sam,
        recorded_at: utc(2026, 3, 29, 0, 30),
        ended: Some(SafetyWarningEnd {
            ended_by: tara,
            ended_at: utc(2026, 7, 15, 23, 30),
            reason: "The dog has been rehomed".into(),
        }),
    };
    let mut chronology = empty_chronology_in_london();
    add_safety_warnings(&mut chronology, &[warning], &names);
    let shown: Vec<(String, String, String, String)> = chronology
        .entries
        .iter()
        .map(|e| (e.date.to_string(), e.time.clone().unwrap(), e.kind.name(), e.worker.clone().unwrap()))
        .collect();
    assert_eq!(
        shown,
        [
            ("2026-03-29".into(), "00:30".into(), "safety_warning".into(), "Sam Social".into()),
            ("2026-07-16".into(), "00:30".into(), "safety_warning_ended".into(), "Tara Manager".into()),
        ]
    );
    assert_eq!(
        chronology.entries[1].summary,
        "Safety warning ended (Animal, recorded 29/03/2026): The dog has been rehomed"
    );
}

/// A manager's standing decision that the child need not be seen alone is in the chronology,
/// so a reader sees why no visit within it asked a manager, and so is its early end: dated in
/// the authority's zone across the clock changes, each with the manager's name.
#[test]
fn standing_seen_alone_decisions_and_their_early_ends_are_in_the_chronology() {
    use chrono::{NaiveDate, TimeZone, Utc};
    use sync_server::reports::add_seen_alone_decisions;

    let utc = |y, m, d, h, min| Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap();
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    // Decided 00:30 UTC on the day British Summer Time starts (still GMT then); ended at
    // 23:30 UTC on a summer evening, which is 00:30 the next day in London.
    let decision = shared::SeenAloneDecision {
        id: shared::SeenAloneDecisionId::new(),
        child_id: ChildId::new(),
        reason: "Baby, four months old".into(),
        starts_on: day(2026, 3, 29),
        ends_on: day(2026, 9, 30),
        decided_by: shared::WorkerId::new(),
        decided_by_name: "Tara Manager".into(),
        decided_at: utc(2026, 3, 29, 0, 30),
        ended: Some(shared::SeenAloneDecisionEnd {
            last_day: day(2026, 7, 15),
            reason: "She is talking now: see her alone".into(),
            ended_by: shared::WorkerId::new(),
            ended_by_name: "Mo Manager".into(),
            ended_at: utc(2026, 7, 15, 23, 30),
        }),
    };
    let mut chronology = empty_chronology_in_london();
    add_seen_alone_decisions(&mut chronology, &[decision]);
    let shown: Vec<(String, String, String, String)> = chronology
        .entries
        .iter()
        .map(|e| (e.date.to_string(), e.time.clone().unwrap(), e.kind.name(), e.worker.clone().unwrap()))
        .collect();
    assert_eq!(
        shown,
        [
            ("2026-03-29".into(), "00:30".into(), "seen_alone_decision".into(), "Tara Manager".into()),
            ("2026-07-16".into(), "00:30".into(), "seen_alone_decision_ended".into(), "Mo Manager".into()),
        ]
    );
    assert_eq!(
        chronology.entries[0].summary,
        "Standing decision that the child need not be seen alone from 29/03/2026 to 30/09/2026: Baby, four months old"
    );
    assert_eq!(
        chronology.entries[1].summary,
        "Standing decision ended early (made by Tara Manager on 29/03/2026, to 30/09/2026): from 16/07/2026 \
         the child must be seen alone again, or a manager asked. She is talking now: see her alone."
    );
}

/// A chronology with no entries yet, in the London time zone.
fn empty_chronology_in_london() -> sync_server::reports::Chronology {
    sync_server::reports::Chronology {
        child_id: ChildId::new(),
        central_id: "CMS-1".into(),
        child_name: "Nia Fernlow".into(),
        date_of_birth: None,
        expected_date_of_birth: None,
        generated_at: chrono::Utc::now(),
        produced_by: String::new(),
        time_zone: "Europe/London".into(),
        filter: None,
        entries: Vec::new(),
    }
}
