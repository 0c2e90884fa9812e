//! How long it takes to save a visit durably on the device (target: under 10 ms), and to
//! unlock the store with the PIN.
//!
//! "Durably" means what the worker is told: sealed with the data key, written to sled, and
//! flushed (fsync'd) to disk before the call returns. Run with `cargo bench -p mobile`.

use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use mobile::draft::VisitDraft;
use mobile::store::LocalStore;
use shared::child::{CarerLanguageNeed, Child, CommunicationNeeds, LanguageNeed, PlanAction, ProtectionPlan};
use shared::{Carer, CarerId, ChildId, HarmCategory, PlanActionId, TeamId, WorkerCapacity, WorkerId};

/// An invented child with a plan and a mother who needs a Polish interpreter.
fn child() -> Child {
    let mother = CarerId::new();
    Child {
        id: ChildId::new(),
        central_id: "C-000123".into(),
        given_name: "Maja".into(),
        family_name: "Testowska".into(),
        date_of_birth: Some(fixtures::ymd(2016, 5, 14)),
        gender: None,
        carers: vec![Carer { id: mother, name: "Ola Testowska".into(), relationship: "mother".into() }],
        plan: Some(ProtectionPlan {
            harms: vec![HarmCategory::Neglect, HarmCategory::Emotional],
            key_worker: WorkerId::new(),
            team: TeamId::new(),
            actions: vec![PlanAction {
                id: PlanActionId::new(),
                description: "Attend school every day".into(),
            }],
            ..fixtures::plan(fixtures::ymd(2025, 1, 6))
        }),
        communication: CommunicationNeeds {
            child: LanguageNeed::default(),
            carers: vec![CarerLanguageNeed {
                carer_id: mother,
                need: LanguageNeed {
                    first_language: Some("Polish".into()),
                    interpreter_needed: true,
                    interpreter_language: Some("Polish".into()),
                    interpreter_considered: true,
                },
            }],
            disability_and_communication: None,
        },
        ..fixtures::child(0)
    }
}

/// A fully written visit: a few quotes and a page of observations (about 3 KB of JSON).
fn full_draft(child: &Child) -> VisitDraft {
    let start = fixtures::at("2025-03-03", 10);
    let mut draft = VisitDraft::new_for(
        child,
        WorkerId::new(),
        WorkerCapacity::KeyWorker,
        start,
        None,
        shared::CalendarName::Jersey,
    );
    draft.location = "Family home".into();
    draft.purpose = "To see the child and talk about the plan".into();
    draft.announced = Some(shared::Announcement::Unannounced);
    draft.seen = Some(true);
    draft.seen_alone = Some(true);
    draft.child_words =
        (0..5).map(|i| format!("Quote number {i}: I like my new school and my teacher.")).collect();
    draft.child_views = "Seemed relaxed and keen to show their room. ".repeat(10);
    draft.facts = "Fridge stocked. Bedroom tidy. Mother engaged well with the visit. ".repeat(12);
    draft.concerns = "Some tension between the adults when the school was mentioned. ".repeat(8);
    draft.interpreters[0].used = Some(shared::InterpreterUsed::Professional);
    draft.end_now(start + chrono::Duration::minutes(45));
    draft
}

/// A keystroke that changes the draft but not its size: the last key of the facts retyped. (A
/// key added on every iteration grew the draft by as many keys as criterion ran, to hundreds of
/// kilobytes, and timed that instead of a 3 KB visit.)
fn retype_last_key(draft: &mut VisitDraft, n: u64) {
    draft.facts.pop();
    draft.facts.push(if n.is_multiple_of(2) { 'a' } else { 'b' });
}

fn save_visit(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let local = LocalStore::open(dir.path()).unwrap();
    let store = local.set_pin("2468").unwrap();
    let child = child();
    let mut draft = full_draft(&child);

    // One keystroke: the whole draft re-sealed, written and flushed.
    let mut n = 0u64;
    c.bench_function("save_draft (durable, per keystroke)", |b| {
        b.iter(|| {
            n += 1;
            retype_last_key(&mut draft, n);
            store.save_draft(black_box(&draft)).unwrap();
        })
    });

    // One keystroke as the visit form handles it: the whole draft re-sealed and written, on the
    // screen's own thread, with no disk wait (a task flushes afterwards). Every key waits for
    // this, so it must stay well inside a frame.
    c.bench_function("keep_draft (in the key's handler, no flush)", |b| {
        b.iter(|| {
            n += 1;
            retype_last_key(&mut draft, n);
            store.keep_draft(black_box(&draft)).unwrap();
        })
    });

    // Submit: the visit into the outbox and the child's history, the draft removed, atomically
    // and flushed.
    c.bench_function("submit (durable, draft to outbox)", |b| {
        b.iter_batched(
            || {
                let draft = full_draft(&child);
                store.save_draft(&draft).unwrap();
                draft.to_visit(Utc::now(), Some(&child)).unwrap()
            },
            |visit| store.submit(black_box(&visit), Utc::now()).unwrap(),
            criterion::BatchSize::SmallInput,
        )
    });
    drop(store);

    // Unlocking derives the PIN key with argon2id at the shipped settings (19 MiB, 2 passes).
    let mut group = c.benchmark_group("unlock");
    group.sample_size(10);
    group.bench_function("unlock with the PIN (argon2id)", |b| {
        b.iter(|| local.unlock(black_box("2468")).unwrap())
    });
    group.finish();
}

criterion_group!(benches, save_visit);
criterion_main!(benches);
