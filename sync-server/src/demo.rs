//! `--demo`: synthetic workers, teams, accounts and children, for trying the service.
//!
//! Every name and word here is invented. Due states are computed from today's date with the
//! shared schedule rules, so the caseload always shows one child overdue, one due today (on a
//! working day), some due soon and the rest on track. Seeding is idempotent: a second start
//! finds the seed marker and changes nothing.

use chrono::{Datelike, Days, FixedOffset, NaiveDate, TimeZone, Utc};
use shared::child::{CarerLanguageNeed, Gender};
use shared::schedule;
use shared::{
    Announcement, Calendar, Carer, CarerId, Child, ChildId, CommunicationNeeds, DeviceId, HarmCategory,
    InterpretedPerson, InterpreterRecord, InterpreterUsed, LanguageNeed, Observations, PlanAction,
    PlanActionId, ProtectionPlan, Quote, Role, Seen, SeenAlone, Team, TeamId, Visit, VisitId, VisitKind,
    VisitStatus, Worker, WorkerCapacity, WorkerId,
};

use crate::import::derived_id;
use crate::store::prelude::*;
use crate::store::{Account, ChildSource, StoredVisit};

/// The password of every demo account.
pub const DEMO_PASSWORD: &str = "seen-and-heard-demo";

/// The demo accounts: username, name, role, team (1 or 2, 0 for none).
pub const DEMO_ACCOUNTS: [(&str, &str, Role, u8); 8] = [
    ("sam.social", "Sam Social", Role::SocialWorker, 1),
    ("dana.duty", "Dana Duty", Role::DutyWorker, 1),
    ("tara.manager", "Tara Manager", Role::TeamManager, 1),
    ("sian.senior", "Sian Senior", Role::SeniorManager, 0),
    ("adam.admin", "Adam Admin", Role::Admin, 0),
    ("priya.field", "Priya Field", Role::SocialWorker, 1),
    ("tom.north", "Tom North", Role::SocialWorker, 2),
    ("mo.manager", "Mo Manager", Role::TeamManager, 2),
];

const SEED_MARKER: &str = "demo-seeded";
/// The demo's reallocated child: Noah Le Brun's key worker was Priya until the day the demo
/// was seeded, and is Sam now; Sam reads a handover before his first visit.
pub const REALLOCATED_CENTRAL_ID: &str = "DEMO-0006";
/// Noah's previous key worker.
pub const REALLOCATED_FROM: &str = "priya.field";
/// The demo's safety warning for lone visits, on Noah's household.
pub const DEMO_SAFETY_WARNING: &str =
    "Large dog, kept loose in the garden. Ring first and ask for it to be shut away before going in.";

/// The demo worker id for a username.
pub fn demo_worker_id(username: &str) -> WorkerId {
    WorkerId(derived_id("demo-worker", username))
}

/// The demo team id (1 or 2).
pub fn demo_team_id(n: u8) -> TeamId {
    TeamId(derived_id("demo-team", &n.to_string()))
}

/// One invented child: central id, given name, family name, age, where they stand
/// (working days until due; negative is overdue), key worker.
struct Seed {
    central_id: &'static str,
    given: &'static str,
    family: &'static str,
    age: i32,
    gender: Gender,
    days_left: i64,
    key_worker: &'static str,
    harms: &'static [HarmCategory],
}

const SEEDS: [Seed; 16] = [
    Seed {
        central_id: "DEMO-0001",
        given: "Ellie",
        family: "Marsh",
        age: 7,
        gender: Gender::Female,
        days_left: -3,
        key_worker: "sam.social",
        harms: &[HarmCategory::Neglect],
    },
    Seed {
        central_id: "DEMO-0002",
        given: "Jack",
        family: "Marsh",
        age: 10,
        gender: Gender::Male,
        days_left: 0,
        key_worker: "sam.social",
        harms: &[HarmCategory::Neglect],
    },
    Seed {
        central_id: "DEMO-0003",
        given: "Zofia",
        family: "Nowicka",
        age: 5,
        gender: Gender::Female,
        days_left: 1,
        key_worker: "sam.social",
        harms: &[HarmCategory::Emotional],
    },
    Seed {
        central_id: "DEMO-0004",
        given: "Tiago",
        family: "Ferreira",
        age: 9,
        gender: Gender::Male,
        days_left: 2,
        key_worker: "sam.social",
        harms: &[HarmCategory::Physical, HarmCategory::Emotional],
    },
    Seed {
        central_id: "DEMO-0005",
        given: "Amelia",
        family: "Quinn",
        age: 3,
        gender: Gender::Female,
        days_left: 4,
        key_worker: "sam.social",
        harms: &[HarmCategory::Neglect],
    },
    Seed {
        central_id: "DEMO-0006",
        given: "Noah",
        family: "Le Brun",
        age: 12,
        gender: Gender::Male,
        days_left: 5,
        key_worker: "sam.social",
        harms: &[HarmCategory::Emotional],
    },
    Seed {
        central_id: "DEMO-0007",
        given: "Maisie",
        family: "Hart",
        age: 8,
        gender: Gender::Female,
        days_left: 6,
        key_worker: "sam.social",
        harms: &[HarmCategory::Physical],
    },
    Seed {
        central_id: "DEMO-0008",
        given: "Ollie",
        family: "Pryce",
        age: 6,
        gender: Gender::Male,
        days_left: 7,
        key_worker: "sam.social",
        harms: &[HarmCategory::Neglect, HarmCategory::Emotional],
    },
    Seed {
        central_id: "DEMO-0009",
        given: "Ruby",
        family: "Vautier",
        age: 14,
        gender: Gender::Female,
        days_left: 8,
        key_worker: "sam.social",
        harms: &[HarmCategory::Sexual],
    },
    Seed {
        central_id: "DEMO-0010",
        given: "Leo",
        family: "Gallichan",
        age: 4,
        gender: Gender::Male,
        days_left: 9,
        key_worker: "sam.social",
        harms: &[HarmCategory::Neglect],
    },
    Seed {
        central_id: "DEMO-0011",
        given: "Isla",
        family: "Renouf",
        age: 11,
        gender: Gender::Female,
        days_left: 3,
        key_worker: "sam.social",
        harms: &[HarmCategory::Emotional],
    },
    Seed {
        central_id: "DEMO-0012",
        given: "Freddie",
        family: "Amy",
        age: 2,
        gender: Gender::Male,
        days_left: 6,
        key_worker: "sam.social",
        harms: &[HarmCategory::Neglect],
    },
    Seed {
        central_id: "DEMO-0101",
        given: "Poppy",
        family: "Tostevin",
        age: 9,
        gender: Gender::Female,
        days_left: 4,
        key_worker: "priya.field",
        harms: &[HarmCategory::Neglect],
    },
    Seed {
        central_id: "DEMO-0102",
        given: "Alfie",
        family: "Mourant",
        age: 13,
        gender: Gender::Male,
        days_left: -1,
        key_worker: "priya.field",
        harms: &[HarmCategory::Physical],
    },
    Seed {
        central_id: "DEMO-0201",
        given: "Evie",
        family: "Le Cornu",
        age: 6,
        gender: Gender::Female,
        days_left: 5,
        key_worker: "tom.north",
        harms: &[HarmCategory::Emotional],
    },
    Seed {
        central_id: "DEMO-0202",
        given: "Harry",
        family: "Pallot",
        age: 15,
        gender: Gender::Male,
        days_left: 2,
        key_worker: "tom.north",
        harms: &[HarmCategory::Neglect],
    },
];

const ACTIONS: [&str; 6] = [
    "Mother to attend the parenting course each week",
    "School to report attendance to the key worker every Friday",
    "Health visitor to check weight and development monthly",
    "Family to keep the home safe and warm; key worker to check at each visit",
    "Child to have time alone with the key worker at every visit",
    "Father to have no unsupervised contact",
];

const WORDS: [&str; 8] = [
    "I like my new teacher, she lets me feed the fish.",
    "Mum was sad yesterday but we had pasta.",
    "I don't like it when they shout at night.",
    "My bedroom is cold but I have the blue blanket now.",
    "Can you come back on Tuesday?",
    "I want to go to football club with Sami.",
    "I was scared when the door banged.",
    "Nan took me to the beach and we found crabs.",
];

/// The date `n` working days before `date` (so that `add_working_days(result, n) == date` when
/// `date` is a working day).
fn working_days_before(calendar: &Calendar, date: NaiveDate, n: u32) -> NaiveDate {
    let mut candidate = date;
    for _ in 0..(n * 3 + 30) {
        candidate = candidate.pred_opt().unwrap_or(candidate);
        if calendar.is_working_day(candidate) && calendar.add_working_days(candidate, n) <= date {
            return candidate;
        }
    }
    candidate
}

/// The date a due state `days_left` working days from `today` falls on.
fn due_date(calendar: &Calendar, today: NaiveDate, days_left: i64) -> NaiveDate {
    if days_left >= 0 {
        let mut start = today;
        while days_left == 0 && !calendar.is_working_day(start) {
            start = start.succ_opt().unwrap_or(start);
        }
        calendar.add_working_days(start, u32::try_from(days_left).unwrap_or(0))
    } else {
        working_days_before(calendar, today, u32::try_from(-days_left).unwrap_or(0))
    }
}

/// A "not seen alone" escalation for a past demo visit, raised and agreed by the manager the
/// same day, which closes it as the manager's answer would.
fn agreed_not_alone(
    visit: &Visit,
    manager: WorkerId,
    manager_name: &str,
) -> Result<shared::Escalation, DemoError> {
    use shared::{
        EscalationAction, EscalationEntry, EscalationLevel, EscalationReason, EscalationStatus,
        EscalationStep,
    };
    let raised_at = visit.recorded_at;
    let agreed_at = raised_at + chrono::Duration::hours(3);
    let action = EscalationAction::SeenAloneAgreed {
        reason: "Agreed in supervision: the child was asleep and stayed with their mother.".into(),
    };
    let entry = |step: EscalationStep, text: String| EscalationEntry {
        at: raised_at,
        on: raised_at.date_naive(),
        step,
        level: EscalationLevel::TeamManager,
        to: Some(manager),
        by: None,
        by_name: None,
        text,
    };
    let reason = EscalationReason::NotSeenAlone { visit_id: visit.id };
    let raised = shared::Escalation {
        id: shared::EscalationId(derived_id("escalation", &visit.id.to_string())),
        child_id: visit.child_id,
        history: vec![
            entry(EscalationStep::Raised, format!("{} Raised to the team manager ({manager_name}).", reason.describe())),
            entry(
                EscalationStep::ConfirmationAsked,
                "The worker recorded that a manager agreed the child need not be seen alone. The manager confirms by agreeing, or disagrees.".into(),
            ),
        ],
        reason,
        level: EscalationLevel::TeamManager,
        to: Some(manager),
        raised_at,
        re_raised_at: None,
        status: EscalationStatus::Open,
        basis: None,
    };
    let by = shared::Worker {
        id: manager,
        name: manager_name.to_owned(),
        role: shared::Role::TeamManager,
        team: None,
    };
    crate::escalations::acknowledge(&raised, action, &by, agreed_at.date_naive(), agreed_at)
        .map_err(|errors| DemoError::Internal(format!("agreeing a demo escalation: {errors:?}")))
}

/// Why the demonstration data could not be seeded.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Something else failed (hashing the demo password, or a date out of range).
    #[error("demo seed: {0}")]
    Internal(String),
}

/// Seeds the demo data unless already seeded. Returns whether anything was written.
pub async fn seed(store: &dyn Store, calendar: &Calendar, today: NaiveDate) -> Result<bool, DemoError> {
    seed_at(store, calendar, today, Utc::now()).await
}

/// [`seed`] on a business clock that reads `now` (a training clock's, with `--as-of`): records
/// are stamped with business time; passwords with real time (a security clock).
pub async fn seed_at(
    store: &dyn Store,
    calendar: &Calendar,
    today: NaiveDate,
    now: chrono::DateTime<Utc>,
) -> Result<bool, DemoError> {
    if store.meta(SEED_MARKER).await?.is_some() {
        return Ok(false);
    }
    let hash = tokio::task::spawn_blocking(|| crate::auth::hash_password(DEMO_PASSWORD))
        .await
        .map_err(|e| DemoError::Internal(e.to_string()))?
        .map_err(|e| DemoError::Internal(e.to_string()))?;
    let mut tx = store.transaction().await?;
    for n in [1u8, 2] {
        let manager = if n == 1 { "tara.manager" } else { "mo.manager" };
        tx.put_team(&Team {
            id: demo_team_id(n),
            name: format!("Child Protection Team {n}"),
            manager: Some(demo_worker_id(manager)),
            // Both teams' senior-level escalations go to Sian, named on the team record.
            routing: shared::TeamRouting {
                senior_manager: Some(demo_worker_id("sian.senior")),
                deputy: None,
            },
        })
        .await?;
    }
    for (username, name, role, team) in DEMO_ACCOUNTS {
        if store.account_by_username(username).await?.is_some() {
            continue;
        }
        let worker = Worker {
            id: demo_worker_id(username),
            name: name.to_owned(),
            role,
            team: (team > 0).then(|| demo_team_id(team)),
        };
        tx.put_account(&Account {
            worker,
            username: username.to_owned(),
            password_hash: Some(hash.clone()),
            password_changed_at: Utc::now(),
            disabled: false,
        })
        .await?;
    }

    let device = DeviceId(derived_id("demo-device", "seed"));
    let offset = FixedOffset::east_opt(0).ok_or_else(|| DemoError::Internal("offset".into()))?;
    let mut children = Vec::new();
    let mut visits = Vec::new();
    for (index, seed) in SEEDS.iter().enumerate() {
        let id = ChildId(derived_id("child", seed.central_id));
        let team = if seed.key_worker == "tom.north" { 2 } else { 1 };
        let key_worker = demo_worker_id(seed.key_worker);
        let actions: Vec<PlanAction> = (0..2 + index % 3)
            .map(|a| PlanAction {
                id: PlanActionId(derived_id("action", &format!("{}/{a}", seed.central_id))),
                description: ACTIONS[(index + a) % ACTIONS.len()].to_owned(),
            })
            .collect();
        let due = due_date(calendar, today, seed.days_left);
        let last_seen = working_days_before(calendar, due, ProtectionPlan::DEFAULT_FREQUENCY_WORKING_DAYS);
        let registered_on = last_seen.checked_sub_days(Days::new(240)).unwrap_or(last_seen);
        let mother = Carer {
            id: CarerId(derived_id("carer", &format!("{}/mother", seed.central_id))),
            name: format!("Mother {}", seed.family),
            relationship: "mother".into(),
        };
        // Interpreting has been considered for most families: English, no interpreter. The
        // Quinn family's has not, so the flag shows to their worker and manager.
        let mut communication = if seed.family == "Quinn" {
            CommunicationNeeds::default()
        } else {
            CommunicationNeeds {
                child: LanguageNeed::no_interpreter_needed(Some("English".into())),
                carers: vec![CarerLanguageNeed {
                    carer_id: mother.id,
                    need: LanguageNeed::no_interpreter_needed(Some("English".into())),
                }],
                disability_and_communication: None,
            }
        };
        if seed.family == "Nowicka" {
            communication.carers.clear();
            communication.carers.push(CarerLanguageNeed {
                carer_id: mother.id,
                need: LanguageNeed {
                    first_language: Some("Polish".into()),
                    interpreter_needed: true,
                    interpreter_language: Some("Polish".into()),
                    interpreter_considered: true,
                },
            });
            communication.child.first_language = Some("English".into());
        }
        if seed.family == "Ferreira" {
            communication.child = LanguageNeed {
                first_language: Some("Portuguese".into()),
                interpreter_needed: true,
                interpreter_language: Some("Portuguese".into()),
                interpreter_considered: true,
            };
        }
        let sibling_ids = match seed.central_id {
            "DEMO-0001" => vec![ChildId(derived_id("child", "DEMO-0002"))],
            "DEMO-0002" => vec![ChildId(derived_id("child", "DEMO-0001"))],
            _ => Vec::new(),
        };
        let birth_year = today.year() - seed.age;
        let child = Child {
            id,
            central_id: seed.central_id.to_owned(),
            given_name: seed.given.to_owned(),
            family_name: seed.family.to_owned(),
            date_of_birth: Some(
                NaiveDate::from_ymd_opt(birth_year, 1 + (index as u32 % 12), 1 + (index as u32 * 2 % 27))
                    .unwrap_or(today),
            ),
            details: Default::default(),
            gender: Some(seed.gender),
            sibling_ids,
            carers: vec![mother.clone()],
            plan: Some(ProtectionPlan {
                details: Default::default(),
                registered_on,
                deregistered_on: None,
                harms: seed.harms.to_vec(),
                visit_frequency_working_days: ProtectionPlan::DEFAULT_FREQUENCY_WORKING_DAYS,
                key_worker,
                team: demo_team_id(team),
                actions: actions.clone(),
                latest_review_conference: registered_on.checked_add_days(Days::new(90)),
                seen_before_go_live: None,
            }),
            communication,
            reallocation: None,
            safety_warnings: vec![],
        };

        // A visit every ten working days from registration to the last one seen.
        let mut date =
            calendar.add_working_days(registered_on, ProtectionPlan::DEFAULT_FREQUENCY_WORKING_DAYS);
        let mut n = 0usize;
        while date <= last_seen {
            let visit_date = if calendar
                .add_working_days(date, ProtectionPlan::DEFAULT_FREQUENCY_WORKING_DAYS)
                > last_seen
            {
                last_seen
            } else {
                date
            };
            let started = offset
                .from_local_datetime(&visit_date.and_hms_opt(10, (n % 4) as u32 * 15, 0).unwrap_or_default())
                .single()
                .ok_or_else(|| DemoError::Internal("time".into()))?;
            let alone = if n % 5 == 3 {
                SeenAlone::No {
                    reason: "Child asleep when we arrived; woke and stayed with mother".into(),
                    present: vec!["mother".into()],
                    manager_agreed: true,
                }
            } else {
                SeenAlone::Yes
            };
            let interpreters = if seed.family == "Nowicka" {
                vec![InterpreterRecord {
                    person: InterpretedPerson::Carer { carer_id: mother.id },
                    needed: true,
                    language: Some("Polish".into()),
                    used: Some(InterpreterUsed::Professional),
                    not_used_reason: None,
                }]
            } else {
                Vec::new()
            };
            visits.push(Visit {
                id: VisitId(derived_id("visit", &format!("{}/{n}", seed.central_id))),
                revision: 1,
                amends: None,
                status: VisitStatus::Submitted,
                amendment_reason: None,
                child_id: id,
                worker_id: if seed.central_id == REALLOCATED_CENTRAL_ID {
                    demo_worker_id(REALLOCATED_FROM)
                } else {
                    key_worker
                },
                capacity: WorkerCapacity::KeyWorker,
                started_at: started,
                ended_at: started + chrono::Duration::minutes(50),
                location: if n % 3 == 1 { "school".into() } else { "family home".into() },
                kind: VisitKind::Statutory,
                announced: if n.is_multiple_of(4) {
                    Announcement::Unannounced
                } else {
                    Announcement::Announced
                },
                due_state_at_start: None,
                seen: Seen::Yes,
                seen_alone: Some(alone),
                child_words: vec![Quote { text: WORDS[(index + n) % WORDS.len()].to_owned() }],
                child_views: "Seemed settled; talked about school and friends.".into(),
                observations: Observations {
                    facts: "Home warm; food in the fridge.".into(),
                    concerns: String::new(),
                },
                interpreters,
                plan_actions: actions.iter().take(1 + n % 2).map(|a| a.id).collect(),
                purpose: Some("To see the child and talk about the plan".into()),
                harms_addressed: seed.harms.to_vec(),
                attachments: Vec::new(),
                next_visit_planned: None,
                recorded_at: started.with_timezone(&Utc) + chrono::Duration::hours(2),
            });
            n += 1;
            if visit_date == last_seen {
                break;
            }
            date = calendar.add_working_days(date, ProtectionPlan::DEFAULT_FREQUENCY_WORKING_DAYS);
        }
        children.push(child);
    }
    // Noah's record as it stood before his reallocation (Priya his key worker, the household's
    // safety warning already recorded), committed first, so that the record below is a change
    // of key worker: the store keeps the earlier version in his history and records the
    // reallocation.
    if let Some(noah) = children.iter().find(|c| c.central_id == REALLOCATED_CENTRAL_ID) {
        let mut before = noah.clone();
        if let Some(plan) = before.plan.as_mut() {
            plan.key_worker = demo_worker_id(REALLOCATED_FROM);
        }
        let warning = shared::SafetyWarning {
            id: shared::SafetyWarningId(derived_id("safety-warning", REALLOCATED_CENTRAL_ID)),
            child_ids: vec![noah.id],
            kind: shared::SafetyWarningKind::Animal,
            details: DEMO_SAFETY_WARNING.to_owned(),
            recorded_by: demo_worker_id(REALLOCATED_FROM),
            recorded_at: now - chrono::Duration::days(30),
            ended: None,
        };
        tx.commit().await?;
        let mut first = store.transaction().await?;
        crate::household::add_warning_writes(first.as_mut(), &warning, &[before], now, today).await?;
        first.commit().await?;
        tx = store.transaction().await?;
    }
    plan_over_time(&mut children, calendar, today);
    // An unborn child's visits are to the expectant mother: no words of the child's own.
    let unborn: Vec<ChildId> = children.iter().filter(|c| c.is_unborn()).map(|c| c.id).collect();
    for visit in visits.iter_mut().filter(|v| unborn.contains(&v.child_id)) {
        visit.child_words.clear();
        visit.seen_alone = Some(SeenAlone::Yes);
        visit.child_views =
            "A visit to the expectant mother: preparing for the birth; the cot and the midwife's \
                             appointments."
                .into();
    }
    for child in &children {
        tx.put_child(child, ChildSource::Demo, now, today).await?;
    }
    for meeting in demo_meetings(&children, calendar, today) {
        tx.put_plan_meeting(&meeting).await?;
    }
    for supervision in demo_supervision(&children, today) {
        tx.put_supervision(&supervision).await?;
    }
    for visit in &visits {
        // The worker ticked "a manager agreed" on these past visits; in the demo the manager
        // confirmed each at the time, so the history shows it and nothing waits in the inbox.
        if matches!(visit.seen_alone, Some(SeenAlone::No { manager_agreed: true, .. })) {
            let team = children
                .iter()
                .find(|c| c.id == visit.child_id)
                .and_then(|c| c.plan.as_ref())
                .map(|p| p.team);
            let manager_name = if team == Some(demo_team_id(2)) { "mo.manager" } else { "tara.manager" };
            let manager = DEMO_ACCOUNTS
                .iter()
                .find(|(username, ..)| *username == manager_name)
                .map(|(_, name, ..)| *name)
                .unwrap_or_default();
            tx.put_escalation(&agreed_not_alone(visit, demo_worker_id(manager_name), manager)?).await?;
        }
    }
    for visit in visits {
        debug_assert!(schedule::last_seen([&visit]).is_some());
        // Synced as it happened, as a working team's visits are (the phone records it two hours
        // after it starts). A month's figures count only what was recorded by the month's end,
        // so history received today would show every past month with no visit on time.
        let received_at = visit.recorded_at.min(now);
        let stored =
            StoredVisit { visit, received_at, device_id: device, needs_review: None, on_cover: false };
        let team = children
            .iter()
            .find(|c| c.id == stored.visit.child_id)
            .and_then(|c| c.plan.as_ref())
            .map(|p| p.team);
        tx.put_visit(&stored, team).await?;
    }
    tx.set_meta(SEED_MARKER, today.to_string().as_bytes()).await?;
    tx.commit().await?;
    tracing::info!(children = children.len(), "demo data seeded");
    Ok(true)
}

fn days_before(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).unwrap_or(date)
}

/// The plan over time and its timeline (issue 11), on a few of the seeded children:
/// - DEMO-0012 is unborn, on a pre-birth plan; its visits are to the expectant mother.
/// - DEMO-0009 is on a second plan, which started with two categories (multiple) and now has one.
/// - DEMO-0005's next core group is due by the next working day (see [`demo_meetings`]).
/// - DEMO-0007's review conference is overdue (the last was 200 days ago).
/// - DEMO-0009's plan came without its ICPC date, so its timeline is counted from the day the
///   plan started (the phone says so); its last core group was a fortnight ago.
///
/// Every other child's ICPC was the day its plan started and its last core group a fortnight
/// ago, as the central system would say, so nothing else on the timeline is due.
fn plan_over_time(children: &mut [Child], calendar: &Calendar, today: NaiveDate) {
    let _ = calendar;
    for child in children.iter_mut() {
        let mother = child.carers.first().map(|c| c.id);
        let Some(plan) = child.plan.as_mut() else { continue };
        match child.central_id.as_str() {
            "DEMO-0012" => {
                child.given_name = String::new();
                child.date_of_birth = None;
                child.details.expected_date_of_birth = today.checked_add_days(Days::new(21));
                child.details.expectant_parent = mother;
                plan.details.pre_birth = true;
                plan.details.initial_conference_on = Some(plan.registered_on);
                plan.details.latest_core_group = Some(days_before(today, 10));
                plan.latest_review_conference = Some(days_before(today, 30));
            }
            "DEMO-0009" => {
                plan.details.latest_core_group = Some(days_before(today, 14));
                child.details.previous_plans = vec![shared::PreviousPlan {
                    registered_on: days_before(plan.registered_on, 900),
                    deregistered_on: days_before(plan.registered_on, 600),
                    initial_harms: vec![HarmCategory::Neglect],
                    latest_harms: vec![HarmCategory::Neglect],
                    pre_birth: false,
                }];
                plan.details.category_history = vec![
                    shared::CategoryChange {
                        from: plan.registered_on,
                        harms: vec![HarmCategory::Neglect, HarmCategory::Emotional],
                    },
                    shared::CategoryChange {
                        from: plan
                            .registered_on
                            .checked_add_days(Days::new(90))
                            .unwrap_or(plan.registered_on),
                        harms: plan.harms.clone(),
                    },
                ];
            }
            "DEMO-0005" => {
                plan.details.initial_conference_on = Some(plan.registered_on);
                plan.latest_review_conference = Some(days_before(today, 60));
            }
            "DEMO-0007" => {
                plan.details.initial_conference_on = Some(plan.registered_on);
                plan.details.latest_core_group = Some(days_before(today, 14));
                plan.latest_review_conference = Some(days_before(today, 200));
            }
            _ => {
                plan.details.initial_conference_on = Some(plan.registered_on);
                plan.details.latest_core_group = Some(days_before(today, 14));
            }
        }
    }
}

/// DEMO-0005's last core group, held the default repeat timescale (six weeks) before the next
/// working day, so the next is due by that day: within days and not yet overdue, on whatever
/// day the demo starts (before a bank holiday weekend, "two days on" was a holiday, and the due
/// date fell back to the day before). Its three actions: one due today, one due in ten days,
/// and one past its due date and not done, so Tara's inbox holds an "agreed action overdue"
/// escalation.
fn demo_meetings(
    children: &[Child],
    calendar: &Calendar,
    today: NaiveDate,
) -> Vec<shared::timeline::PlanMeeting> {
    let Some(child) = children.iter().find(|c| c.central_id == "DEMO-0005") else { return Vec::new() };
    let every = shared::timeline::Timescales::default().core_group_every_weeks;
    let held_on = days_before(calendar.add_working_days(today, 1), 7 * u64::from(every));
    let action = |n: u32, description: &str, owner: &str, due_on: NaiveDate| shared::timeline::AgreedAction {
        id: shared::AgreedActionId(derived_id("demo-action", &format!("DEMO-0005/{n}"))),
        description: description.to_owned(),
        owner: owner.to_owned(),
        due_on,
    };
    vec![shared::timeline::PlanMeeting {
        id: shared::PlanMeetingId(derived_id("demo-meeting", "DEMO-0005/1")),
        child_id: child.id,
        kind: shared::timeline::MeetingKind::CoreGroup,
        held_on,
        attendees: vec!["School".into(), "Health visitor".into(), "Mother".into(), "Social worker".into()],
        decisions: vec!["The plan continues; attendance is improving.".into()],
        actions: vec![
            action(1, "Report attendance to the social worker every Friday", "School", today),
            action(
                2,
                "Arrange a developmental check",
                "Health visitor",
                today.checked_add_days(Days::new(10)).unwrap_or(today),
            ),
            action(3, "Refer the mother to the parenting programme", "Social worker", days_before(today, 5)),
        ],
        recorded_by: demo_worker_id("sam.social"),
        recorded_by_name: "Sam Social".into(),
        recorded_at: days_before(held_on, 0).and_hms_opt(16, 0, 0).unwrap_or_default().and_utc(),
    }]
}

/// The managers' supervision of each case:
/// - Tara's supervision of Ellie's case (DEMO-0001) three weeks ago, with a decision and an action;
/// - Amelia's (DEMO-0005) last supervision five weeks ago, so it is overdue by a few days: the
///   desk lists it and Tara's inbox holds a "supervision overdue" escalation;
/// - every other case supervised a fortnight ago, by its team's manager.
fn demo_supervision(children: &[Child], today: NaiveDate) -> Vec<shared::timeline::Supervision> {
    children
        .iter()
        .filter(|child| child.plan.is_some())
        .map(|child| {
            let team = child.plan.as_ref().map(|p| p.team);
            let (username, name) =
                if team == Some(demo_team_id(2)) { ("mo.manager", "Mo Manager") } else { ("tara.manager", "Tara Manager") };
            let (days_ago, reflection, decisions, actions) = match child.central_id.as_str() {
                "DEMO-0001" => (
                    21,
                    "Risk unchanged: visits are late and Ellie was not seen last time. Progress on school attendance.",
                    vec!["Visit this week, unannounced.".into()],
                    vec![shared::timeline::AgreedAction {
                        id: shared::AgreedActionId(derived_id("demo-action", "DEMO-0001/s1")),
                        description: "Book the core group before the end of the month".into(),
                        owner: "Sam Social".into(),
                        due_on: today.checked_add_days(Days::new(7)).unwrap_or(today),
                    }],
                ),
                "DEMO-0005" => (35, "Risk reducing slowly; the plan continues.", Vec::new(), Vec::new()),
                _ => (14, "Risk reviewed against the plan; no change to the plan.", Vec::new(), Vec::new()),
            };
            let held_on = days_before(today, days_ago);
            shared::timeline::Supervision {
                id: shared::SupervisionId(derived_id("demo-supervision", &format!("{}/1", child.central_id))),
                child_id: child.id,
                held_on,
                reflection: reflection.into(),
                decisions,
                actions,
                recorded_by: demo_worker_id(username),
                recorded_by_name: name.into(),
                recorded_at: held_on.and_hms_opt(15, 0, 0).unwrap_or_default().and_utc(),
            }
        })
        .collect()
}
