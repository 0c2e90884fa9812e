//! The central case import (CSV and JSON) and the write-back export with acknowledgement.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::Days;
use common::{World, outcome, visit};
use serde_json::{Value, json};

const HEADER: &str = "central_id,given_name,family_name,date_of_birth,gender,sibling_central_ids,carers,carer_languages,child_first_language,child_interpreter_language,disability_and_communication,registered_on,deregistered_on,harms,visit_frequency_working_days,actions,latest_review_conference,key_worker_username,key_worker_name,team_code,team_name";

fn csv_file(rows: &[&str]) -> String {
    let mut file = HEADER.to_owned();
    for row in rows {
        file.push('\n');
        file.push_str(row);
    }
    file.push('\n');
    file
}

const GOOD_A: &str = "CMS-1,Lily,Ashby,2016-04-02,female,CMS-2,M1|Olga Ashby|mother,M1|Polish|Polish,English,,,2025-01-06,,neglect;emotional,10,A1|Mother to attend parenting course;A2|School to report attendance,2025-03-01,sam.social,,CPT1,Child Protection Team 1";
const GOOD_B: &str = "CMS-2,Max,Ashby,2013-09-30,male,CMS-1,M1|Olga Ashby|mother,,,,,2025-01-06,,neglect,10,A1|Mother to attend parenting course,,sam.social,,CPT1,";

async fn import(world: &World, token: &str, format: &str, body: String) -> (StatusCode, Value) {
    let content_type = if format == "csv" { "text/csv" } else { "application/json" };
    let request = Request::post(format!("/api/admin/import?format={format}"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .unwrap();
    world.send(request).await
}

#[tokio::test]
async fn a_csv_import_creates_children_with_siblings_plans_and_language_needs_and_is_idempotent() {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    let (status, report) = import(&world, admin.access(), "csv", csv_file(&[GOOD_A, GOOD_B])).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!((report["created"].as_u64(), report["rejected"].as_u64()), (Some(2), Some(0)), "{report}");

    let lily = world.child("CMS-1").await;
    let max = world.child("CMS-2").await;
    assert_eq!(lily.sibling_ids, vec![max.id]);
    assert_eq!(max.sibling_ids, vec![lily.id]);
    let plan = lily.plan.as_ref().unwrap();
    assert_eq!(plan.harms, [shared::HarmCategory::Neglect, shared::HarmCategory::Emotional]);
    assert_eq!(plan.actions.len(), 2);
    assert_eq!(plan.key_worker, world.worker_id("sam.social").await);
    let mother = &lily.communication.carers[0];
    assert_eq!(mother.carer_id, lily.carers[0].id);
    assert!(mother.need.interpreter_needed);
    assert_eq!(mother.need.interpreter_language.as_deref(), Some("Polish"));

    // The same file again changes nothing; ids are stable.
    let (_, again) = import(&world, admin.access(), "csv", csv_file(&[GOOD_A, GOOD_B])).await;
    assert_eq!((again["created"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(2)), "{again}");
    assert_eq!(world.child("CMS-1").await, lily);

    // Sam now sees them.
    let sam = world.login("sam.social").await;
    let (_, children) = world.get("/api/children", sam.access()).await;
    assert_eq!(children.as_array().unwrap().len(), 14);
}

#[tokio::test]
async fn malformed_rows_are_reported_by_line_and_field_and_the_rest_imported() {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    import(&world, admin.access(), "csv", csv_file(&[GOOD_A])).await;
    let before = world.child("CMS-1").await;
    let broken_lily = GOOD_A.replace("2016-04-02", "02/04/2016").replace("Lily", "Changed");
    let bad_harm = GOOD_B.replace("neglect,10", "sadness,10");
    let no_key_worker = "CMS-3,Ava,Stone,2019-01-01,,,,,,,,2025-02-01,,neglect,,,,,,CPT1,";
    let fine = "CMS-4,Ivy,Stone,2019-01-01,,,,,,,,,,,,,,,,,";
    let (status, report) =
        import(&world, admin.access(), "csv", csv_file(&[&broken_lily, &bad_harm, no_key_worker, fine]))
            .await;
    assert_eq!(status, StatusCode::OK);
    let problems: Vec<(u64, String)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["line"].as_u64().unwrap(), p["field"].as_str().unwrap().to_owned()))
        .collect();
    assert!(problems.contains(&(2, "date_of_birth".into())), "{problems:?}");
    assert!(problems.contains(&(3, "harms[0]".into())), "{problems:?}");
    assert!(problems.contains(&(4, "key_worker_username".into())), "{problems:?}");
    assert_eq!((report["rejected"].as_u64(), report["created"].as_u64()), (Some(3), Some(1)));
    assert_eq!(world.child("CMS-1").await, before, "a rejected row leaves the existing record alone");
    assert!(world.state.store().child_by_central_id("CMS-2").await.unwrap().is_none());
    assert!(world.state.store().child_by_central_id("CMS-4").await.unwrap().is_some());
}

#[tokio::test]
async fn a_json_import_reports_bad_records_by_position_and_field() {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    let body = json!([
        {"central_id": "J-1", "given_name": "Nia", "family_name": "Roe", "date_of_birth": "2017-05-05",
         "carers": [{"ref": "F", "name": "Dan Roe", "relationship": "father", "interpreter_language": "Portuguese"}],
         "registered_on": "2025-05-01", "harms": ["physical"], "actions": [{"ref": "1", "description": "Weekly check"}],
         "key_worker_username": "new.worker", "key_worker_name": "New Worker", "team_code": "CPT9"},
        {"central_id": "J-2", "given_name": "Kit", "family_name": "Roe", "date_of_birth": 20170505},
        {"central_id": "J-3", "given_name": "Sol", "family_name": "Roe", "date_of_birth": "2017-05-05", "shoe_size": 3}
    ]);
    let (status, report) = import(&world, admin.access(), "json", body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["created"], 1);
    let problems = report["problems"].as_array().unwrap();
    assert_eq!(
        (problems[0]["line"].as_u64(), problems[0]["field"].as_str()),
        (Some(2), Some("date_of_birth"))
    );
    assert_eq!(problems[1]["line"], 3);
    assert!(problems[1]["message"].as_str().unwrap().contains("shoe_size"));
    // An unknown key worker is created, unable to sign in until given a password.
    let account = world.state.store().account_by_username("new.worker").await.unwrap().unwrap();
    assert!(account.password_hash.is_none());
    assert_eq!(world.child("J-1").await.plan.unwrap().key_worker, account.worker.id);

    let (status, body) = import(&world, admin.access(), "json", "{not json".into()).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("bad_request")));
    let (status, body) = import(&world, admin.access(), "csv", "name,dob\nx,y\n".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(body["fields"].as_array().unwrap().iter().any(|f| f["field"] == "central_id"));
}

#[tokio::test]
async fn de_registration_closes_the_case_and_later_visits_are_held() {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    let sam = world.login("sam.social").await;
    import(&world, admin.access(), "csv", csv_file(&[GOOD_A])).await;
    let (_, cursor) = world.pull_all(&sam, None).await;
    let yesterday = world.today().pred_opt().unwrap().pred_opt().unwrap();
    let closed = GOOD_A.replace("2025-01-06,,", &format!("2025-01-06,{yesterday},"));
    let (_, report) = import(&world, admin.access(), "csv", csv_file(&[&closed])).await;
    assert_eq!(report["updated"], 1);
    let (events, _) = world.pull_all(&sam, Some(&cursor)).await;
    assert!(
        events.iter().any(|e| e["type"] == "removed_from_scope" && e["reason"] == "case_closed"),
        "{events:?}"
    );
    let lily = world.child("CMS-1").await;
    let results = world.push_outcomes(&sam, &[visit(lily.id, sam.worker_id())]).await;
    assert_eq!(outcome(&results[0]), "accepted");
    assert_eq!(results[0]["needs_review"], sync_server::sync::HELD_DEREGISTERED);
}

#[tokio::test]
async fn each_revision_is_written_back_exactly_once() {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    let sam = world.login("sam.social").await;
    // The demo history first: acknowledge it all.
    let (status, pending) = world.get("/api/admin/export/visits?limit=100000", admin.access()).await;
    assert_eq!(status, StatusCode::OK);
    let refs: Vec<Value> = pending
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!({"visit_id": r["visit_id"], "revision": r["revision"]}))
        .collect();
    let (_, ack) = world.post("/api/admin/export/ack", admin.access(), json!({"revisions": refs})).await;
    assert_eq!(ack["acknowledged"].as_u64().unwrap() as usize, refs.len());
    let (_, empty) = world.get("/api/admin/export/visits", admin.access()).await;
    assert_eq!(empty.as_array().unwrap().len(), 0);

    let ellie = world.child("DEMO-0001").await;
    let first = visit(ellie.id, sam.worker_id());
    world.push_outcomes(&sam, std::slice::from_ref(&first)).await;
    let (_, pending) = world.get("/api/admin/export/visits", admin.access()).await;
    assert_eq!(pending.as_array().unwrap().len(), 1);
    assert_eq!(pending[0]["child_central_id"], "DEMO-0001");
    let request = Request::get("/api/admin/export/visits?format=csv")
        .header(header::AUTHORIZATION, format!("Bearer {}", admin.access()))
        .body(Body::empty())
        .unwrap();
    let (status, csv) = world.send(request).await;
    assert_eq!(status, StatusCode::OK);
    let csv = csv.as_str().unwrap();
    assert!(csv.starts_with("visit_id,revision,amends,status"));
    assert!(csv.contains(&first.id.to_string()) && csv.contains("I drew a picture of the dog."));
    assert!(
        csv.lines().next().unwrap().contains(",plan_actions,purpose,"),
        "the write-back carries the purpose"
    );
    assert!(csv.contains(first.purpose.as_deref().unwrap()));

    let one = json!({"revisions": [{"visit_id": first.id, "revision": 1}]});
    let (_, ack) = world.post("/api/admin/export/ack", admin.access(), one.clone()).await;
    assert_eq!((ack["acknowledged"].as_u64(), ack["already"].as_u64()), (Some(1), Some(0)));
    let (_, ack) = world.post("/api/admin/export/ack", admin.access(), one).await;
    assert_eq!(
        (ack["acknowledged"].as_u64(), ack["already"].as_u64()),
        (Some(0), Some(1)),
        "a repeat changes nothing"
    );

    // The amendment is written back on its own.
    world.push_outcomes(&sam, &[common::amend(&first, "school")]).await;
    let (_, pending) = world.get("/api/admin/export/visits", admin.access()).await;
    let pending = pending.as_array().unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(
        (pending[0]["revision"].as_u64(), pending[0]["visit"]["location"].as_str()),
        (Some(2), Some("school"))
    );
    let (_, ack) = world
        .post(
            "/api/admin/export/ack",
            admin.access(),
            json!({"revisions": [{"visit_id": shared::VisitId::new(), "revision": 1}]}),
        )
        .await;
    assert_eq!(ack["unknown"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_changed_central_record_reaches_the_workers_device_on_the_next_pull() {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    let sam = world.login("sam.social").await;
    import(&world, admin.access(), "csv", csv_file(&[GOOD_A, GOOD_B])).await;
    let (_, cursor) = world.pull_all(&sam, None).await;
    let renamed = GOOD_A.replace("Lily", "Lilian");
    let (_, report) = import(&world, admin.access(), "csv", csv_file(&[&renamed, GOOD_B])).await;
    assert_eq!((report["updated"].as_u64(), report["unchanged"].as_u64()), (Some(1), Some(1)));
    let (events, _) = world.pull_all(&sam, Some(&cursor)).await;
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(
        (events[0]["type"].as_str(), events[0]["child"]["given_name"].as_str()),
        (Some("child"), Some("Lilian"))
    );
    // Another worker's device hears nothing of it.
    let tom = world.login("tom.north").await;
    let (_, tom_cursor) = world.pull_all(&tom, None).await;
    import(&world, admin.access(), "csv", csv_file(&[&renamed.replace("Lilian", "Lil")])).await;
    let (events, _) = world.pull_all(&tom, Some(&tom_cursor)).await;
    assert!(events.is_empty(), "{events:?}");
}

// ---- The plan over time (issue 11): unborn children, earlier plans, categories with dates. ----

fn unborn_record(date_of_birth: &str, given_name: &str) -> Value {
    json!({"central_id": "U-1", "given_name": given_name, "family_name": "", "date_of_birth": date_of_birth,
        "expected_date_of_birth": "2025-07-20", "expectant_parent_ref": "M",
        "carers": [{"ref": "M", "name": "Ana Vale", "relationship": "mother"}],
        "registered_on": "2025-05-01", "pre_birth": true, "initial_conference_on": "2025-05-01",
        "harms": ["neglect"], "key_worker_username": "sam.social", "team_code": "CPT1"})
}

#[tokio::test]
async fn an_unborn_child_on_a_pre_birth_plan_needs_no_name_or_date_of_birth_and_carries_on_after_birth() {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    let (status, report) =
        import(&world, admin.access(), "json", json!([unborn_record("", "")]).to_string()).await;
    assert_eq!((status, report["created"].as_u64()), (StatusCode::OK, Some(1)), "{report}");
    let unborn = world.child("U-1").await;
    assert!(unborn.is_unborn());
    assert_eq!(unborn.details.expected_date_of_birth, chrono::NaiveDate::from_ymd_opt(2025, 7, 20));
    assert_eq!(
        unborn.details.expectant_parent,
        Some(unborn.carers[0].id),
        "visits are to the expectant parent"
    );
    assert!(unborn.plan.as_ref().unwrap().details.pre_birth);
    assert_eq!(unborn.display_name(), "Unborn baby");

    // Born: the same record, with its plan, carries on under the same id.
    let mut born = unborn_record("2025-07-18", "Rosa");
    born["family_name"] = json!("Vale");
    let (_, report) = import(&world, admin.access(), "json", json!([born]).to_string()).await;
    assert_eq!(report["updated"].as_u64(), Some(1), "{report}");
    let rosa = world.child("U-1").await;
    assert_eq!((rosa.id, rosa.is_unborn()), (unborn.id, false));
    assert_eq!(rosa.plan.as_ref().unwrap().registered_on, unborn.plan.as_ref().unwrap().registered_on);
}

#[tokio::test]
async fn an_unborn_child_without_an_expected_date_of_birth_is_refused_naming_the_field() {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    let mut record = unborn_record("", "");
    record.as_object_mut().unwrap().remove("expected_date_of_birth");
    let (_, report) = import(&world, admin.access(), "json", json!([record]).to_string()).await;
    assert_eq!(report["rejected"].as_u64(), Some(1), "{report}");
    assert_eq!(report["problems"][0]["field"], "date_of_birth");
}

#[tokio::test]
async fn the_csv_import_carries_earlier_plans_categories_with_dates_and_annex_a_details() {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    let file = "central_id,given_name,family_name,date_of_birth,ethnicity,disability,emergency_protection_dates,registered_on,harms,initial_harms,harms_changed_on,initial_conference_on,latest_core_group,latest_supervision,previous_plans,key_worker_username,team_code\n\
        CMS-9,Zara,Penn,2015-02-02,MWBC,yes,2025-03-30,2025-04-01,physical,neglect;emotional,2025-06-01,2025-04-01,2025-04-14,2025-05-20,2021-01-04|2021-09-30|neglect|neglect;2023-02-01|2023-08-01|emotional+sexual|sexual,sam.social,CPT1\n";
    let (status, report) = import(&world, admin.access(), "csv", file.to_owned()).await;
    assert_eq!((status, report["created"].as_u64()), (StatusCode::OK, Some(1)), "{report}");
    let zara = world.child("CMS-9").await;
    assert_eq!(zara.details.ethnicity, Some(shared::Ethnicity::Mwbc));
    assert_eq!(zara.details.disability, Some(shared::Disability::Yes));
    assert_eq!(zara.details.emergency_protection.as_ref().map(Vec::len), Some(1));
    assert_eq!(zara.previous_plan_count(), 2);
    assert_eq!(
        zara.details.previous_plans[1].initial_harms,
        [shared::HarmCategory::Emotional, shared::HarmCategory::Sexual]
    );
    let plan = zara.plan.as_ref().unwrap();
    assert_eq!(plan.initial_harms(), [shared::HarmCategory::Neglect, shared::HarmCategory::Emotional]);
    assert_eq!(plan.latest_harms(), [shared::HarmCategory::Physical]);
    assert_eq!(plan.details.category_history[1].from, chrono::NaiveDate::from_ymd_opt(2025, 6, 1).unwrap());
    assert_eq!(plan.details.initial_conference_on, chrono::NaiveDate::from_ymd_opt(2025, 4, 1));
    assert_eq!(plan.details.latest_core_group, chrono::NaiveDate::from_ymd_opt(2025, 4, 14));
    assert_eq!(plan.details.latest_supervision, chrono::NaiveDate::from_ymd_opt(2025, 5, 20));

    // An unknown ethnicity code is refused, naming the column.
    let bad = file.replace("MWBC", "XXXX").replace("CMS-9", "CMS-10");
    let (_, report) = import(&world, admin.access(), "csv", bad).await;
    assert_eq!(report["problems"][0]["field"], "ethnicity", "{report}");

    // A supervision the central system dates after today is refused, naming the column.
    let future = world.today().checked_add_days(chrono::Days::new(1)).unwrap().to_string();
    let bad = file.replace("2025-05-20", &future).replace("CMS-9", "CMS-11");
    let (_, report) = import(&world, admin.access(), "csv", bad).await;
    assert_eq!(report["problems"][0]["field"], "latest_supervision", "{report}");
    assert!(world.state.store().child_by_central_id("CMS-11").await.unwrap().is_none(), "nothing was stored");
}

#[tokio::test]
async fn a_new_plan_keeps_the_ended_one_as_an_earlier_plan_so_nothing_is_lost() {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    let first = GOOD_A.replace("2025-01-06,,neglect;emotional", "2025-01-06,2025-03-31,neglect;emotional");
    import(&world, admin.access(), "csv", csv_file(&[&first])).await;
    // The central system now holds only the new plan.
    let second = GOOD_A.replace("2025-01-06,,neglect;emotional", "2025-05-01,,physical");
    let (_, report) = import(&world, admin.access(), "csv", csv_file(&[&second])).await;
    assert_eq!(report["updated"].as_u64(), Some(1), "{report}");
    let lily = world.child("CMS-1").await;
    assert_eq!(lily.previous_plan_count(), 1);
    let earlier = &lily.details.previous_plans[0];
    assert_eq!(earlier.deregistered_on, chrono::NaiveDate::from_ymd_opt(2025, 3, 31).unwrap());
    assert_eq!(earlier.initial_harms, [shared::HarmCategory::Neglect, shared::HarmCategory::Emotional]);
    // Importing the same file again changes nothing.
    let (_, again) = import(&world, admin.access(), "csv", csv_file(&[&second])).await;
    assert_eq!(again["unchanged"].as_u64(), Some(1), "{again}");
}

#[tokio::test]
async fn the_import_carries_each_persons_interpreting_decision_needed_not_needed_or_not_considered() {
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    // Lily: needs Portuguese; her mother: considered, not needed; her father: not considered.
    let row = "CMS-9,Lily,Sousa,2016-04-02,female,,M1|Ana Sousa|mother;F1|Rui Sousa|father,M1|English|none,Portuguese,Portuguese,,2025-01-06,,neglect,10,,,sam.social,,CPT1,";
    let (status, report) = import(&world, admin.access(), "csv", csv_file(&[row])).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let lily = world.child("CMS-9").await;
    let decisions: Vec<shared::Interpreting> =
        lily.interpreting_by_person().into_iter().map(|(_, d)| d).collect();
    assert_eq!(
        decisions,
        [
            shared::Interpreting::Needed { language: Some("Portuguese".into()) },
            shared::Interpreting::NotNeeded,
            shared::Interpreting::NotYetConsidered,
        ]
    );
}

#[tokio::test]
async fn an_action_agreed_on_an_earlier_plan_is_listed_but_not_overdue_nor_escalated_once_a_new_plan_starts()
{
    let world = World::new().await;
    let admin = world.login("adam.admin").await;
    let sam = world.login("sam.social").await;
    let sian = world.login("sian.senior").await;
    // Dates a year or so back from today: the meeting's dates must be within two years of it.
    let back = |days: u64| world.today().checked_sub_days(Days::new(days)).unwrap();
    let (registered, held, due, ended_on, restarted) =
        (back(400), back(372), back(358), back(316), back(285));
    let lily_row = |plan: String| {
        GOOD_A
            .replace("2025-01-06,,neglect;emotional", &plan)
            .replace(",2025-03-01,", &format!(",{},", back(345)))
    };
    import(&world, admin.access(), "csv", csv_file(&[&lily_row(format!("{registered},,neglect;emotional"))]))
        .await;
    let lily = world.child("CMS-1").await;
    let (status, meeting) = world
        .post(
            &format!("/api/children/{}/meetings", lily.id),
            sam.access(),
            json!({"kind": "core_group", "held_on": held, "attendees": ["Social worker", "School"],
                   "actions": [{"description": "School to report attendance weekly", "owner": "School",
                                "due_on": due}]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{meeting}");
    let timeline_path = format!("/api/children/{}/timeline", lily.id);
    let action_escalations = |list: &Value| {
        list.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["child_id"] == json!(lily.id) && e["reason"]["reason"] == "action_overdue")
            .count()
    };

    // On the plan in force, the action is overdue, by well over 5 working days: a senior
    // manager is told.
    sync_server::sweeper::sweep_store(&world.state, None, world.state.now()).await.unwrap();
    let (_, timeline) = world.get(&timeline_path, sam.access()).await;
    let action = &timeline["open_actions"][0];
    assert_eq!((action["overdue"].as_bool(), action["on_current_plan"].as_bool()), (Some(true), Some(true)));
    let (_, escalations) = world.get("/api/escalations", sian.access()).await;
    assert_eq!(action_escalations(&escalations), 1, "{escalations}");

    // That plan ends and a new one starts: the action is kept on the page for the record, but it
    // is the earlier plan's, neither overdue there nor escalated, as the sweep and page agree.
    let ended = lily_row(format!("{registered},{ended_on},neglect;emotional"));
    import(&world, admin.access(), "csv", csv_file(&[&ended])).await;
    let second = lily_row(format!("{restarted},,physical"));
    let (_, report) = import(&world, admin.access(), "csv", csv_file(&[&second])).await;
    assert_eq!(report["updated"].as_u64(), Some(1), "{report}");
    sync_server::sweeper::sweep_store(&world.state, None, world.state.now()).await.unwrap();
    let (_, timeline) = world.get(&timeline_path, sam.access()).await;
    let action = &timeline["open_actions"][0];
    assert_eq!(action["action"]["description"], "School to report attendance weekly", "{timeline}");
    assert_eq!(
        (action["overdue"].as_bool(), action["on_current_plan"].as_bool()),
        (Some(false), Some(false))
    );
    let (_, escalations) = world.get("/api/escalations", sian.access()).await;
    assert_eq!(action_escalations(&escalations), 0, "closed with the plan: {escalations}");
    let held = world.state.store().escalations_for_child(lily.id).await.unwrap();
    let closed = held
        .iter()
        .find(|e| matches!(e.reason, shared::EscalationReason::ActionOverdue { .. }))
        .expect("kept, closed");
    let why = &closed.history.last().unwrap().text;
    assert!(
        !closed.is_active()
            && why.contains(&format!(
                "on an earlier plan; the plan in force since {} is followed",
                restarted.format("%d/%m/%Y")
            )),
        "{why}"
    );
}
