//! Makes a phone's data folder for measuring the app: a signed-in social worker (PIN 1234)
//! with 30 invented children, each on a plan with two years of visits every 10 working days
//! (about 1,500 visit records with words, facts and concerns). The server address is a closed
//! local port, so the app starts offline.
//!
//! `cargo run -p mobile --example ui_perf_seed -- /tmp/perf-phone` then
//! `mobile --data /tmp/perf-phone --demo-sign-in` (see README.md, "Performance").

use chrono::{Datelike, Local, NaiveDate, Utc};
use mobile::store::{LocalStore, SessionRecord};
use shared::child::{CommunicationNeeds, LanguageNeed, PlanAction, ProtectionPlan};
use shared::sync::{ChangeEvent, Cursor, PullResponse, TokenResponse};
use shared::{
    Calendar, Carer, CarerId, Child, ChildId, HarmCategory, Observations, PlanActionId, Quote, Role, TeamId,
    Visit, Worker, WorkerId,
};

const GIVEN: [&str; 10] = ["Ava", "Ben", "Cara", "Dev", "Ella", "Finn", "Gina", "Hal", "Isla", "Joe"];
const FAMILY: [&str; 3] = ["Example", "Sample", "Testcase"];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: ui_perf_seed DATA_DIR")?;
    let local = LocalStore::open(&dir)?;
    let store = local.set_pin("1234")?;
    let worker = WorkerId::new();
    let tokens = TokenResponse {
        access_token: "offline".into(),
        access_expires_at: Utc::now() + chrono::Duration::days(1),
        refresh_token: "offline".into(),
        worker: Worker { id: worker, name: "Perf Worker".into(), role: Role::SocialWorker, team: None },
        settings: Some(shared::sync::AuthoritySettings::new(
            shared::CalendarName::Jersey,
            &shared::BusinessClock::live(shared::Tz::Europe__Jersey),
            shared::ScheduleRules::default(),
        )),
    };
    store.save_session(&SessionRecord::new("http://127.0.0.1:9", shared::DeviceId::new(), tokens))?;

    let calendar = Calendar::jersey();
    let today = Local::now().date_naive();
    let start = today - chrono::Duration::days(730);
    let mut events = Vec::new();
    let mut n_visits = 0;
    for i in 0..30 {
        let child = invented_child(i, worker, start, today);
        let mut day = calendar.add_working_days(start, 1 + (i as u32 % 10));
        // Leave the last gap different for each child, so the caseload has every due state.
        while day < today - chrono::Duration::days(i as i64 % 20) {
            events.push(ChangeEvent::Visit { visit: Box::new(visit(&child, worker, day, n_visits)) });
            n_visits += 1;
            day = calendar.add_working_days(day, 10);
        }
        events.insert(0, ChangeEvent::Child { child: Box::new(child) });
    }
    let page = PullResponse {
        protocol: shared::sync::PROTOCOL_VERSION,
        events,
        cursor: Cursor("perf".into()),
        more: false,
        settings: None,
    };
    store.apply_pull(&page, Utc::now())?;
    store.flush()?;
    println!("30 children, {n_visits} visits, in {dir}");
    Ok(())
}

fn invented_child(i: usize, worker: WorkerId, registered: NaiveDate, today: NaiveDate) -> Child {
    let mother = CarerId::new();
    Child {
        id: ChildId::new(),
        central_id: format!("PERF-{i:04}"),
        given_name: GIVEN[i % GIVEN.len()].into(),
        family_name: format!("{}{}", FAMILY[i % FAMILY.len()], i),
        date_of_birth: Some(
            NaiveDate::from_ymd_opt(today.year() - 3 - (i as i32 % 12), 1 + (i as u32 % 12), 10)
                .unwrap_or(today),
        ),
        gender: None,
        carers: vec![Carer { id: mother, name: format!("Parent {i}"), relationship: "mother".into() }],
        plan: Some(ProtectionPlan {
            harms: vec![HarmCategory::ALL[i % 4]],
            key_worker: worker,
            team: TeamId::new(),
            actions: (0..3)
                .map(|a| PlanAction {
                    id: PlanActionId::new(),
                    description: format!("Plan action {a} for child {i}"),
                })
                .collect(),
            ..fixtures::plan(registered)
        }),
        communication: CommunicationNeeds {
            child: LanguageNeed { first_language: Some("English".into()), ..Default::default() },
            carers: vec![],
            disability_and_communication: None,
        },
        ..fixtures::child(0)
    }
}

fn visit(child: &Child, worker: WorkerId, day: NaiveDate, n: usize) -> Visit {
    Visit {
        child_words: vec![
            Quote { text: format!("Invented words number {n}: I played outside today.") },
            Quote { text: "I had cereal for breakfast.".into() },
        ],
        child_views: "Happy to talk; wants more time with friends.".into(),
        observations: Observations {
            facts: "Home warm and tidy. Food in the cupboards. Child dressed appropriately.".into(),
            concerns: "None new at this visit.".into(),
        },
        plan_actions: child.plan.iter().flat_map(|p| p.actions.first().map(|a| a.id)).collect(),
        recorded_at: Utc::now(),
        ..fixtures::visit(child.id, worker, fixtures::at_on(day, 10, 0))
    }
}
