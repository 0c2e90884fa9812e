//! Which agreed actions are followed up and overdue: the one rule the sweep and the child's
//! page share, on the days where it turns (the plan's first and last days, the due date).

mod support;

use shared::ProtectionPlan;
use shared::timeline::{AgreedAction, MeetingKind, PlanMeeting, agreed_actions};
use support::{at, date, fixed};

fn core_group(held_on: &str, due_on: &str) -> PlanMeeting {
    PlanMeeting {
        id: fixed(700),
        child_id: fixed(1),
        kind: MeetingKind::CoreGroup,
        held_on: date(held_on),
        attendees: vec!["School".into()],
        decisions: vec![],
        actions: vec![AgreedAction {
            id: fixed(701),
            description: "School to report attendance weekly".into(),
            owner: "School".into(),
            due_on: date(due_on),
        }],
        recorded_by: fixed(10),
        recorded_by_name: "Sam Social".into(),
        recorded_at: at(held_on, 14).to_utc(),
    }
}

/// (followed, overdue) of the one action of `meeting` on `plan` as on `today`, not done.
fn state(plan: &ProtectionPlan, meeting: &PlanMeeting, today: &str) -> (bool, bool) {
    let meetings = [meeting.clone()];
    let agreed = agreed_actions(&meetings, &[]).next().unwrap();
    let today = date(today);
    (agreed.is_followed(Some(plan), today), agreed.is_overdue(Some(plan), false, today))
}

#[test]
fn an_action_is_overdue_the_day_after_it_was_due_not_on_the_day() {
    // Plan from Monday 2 November 2026; due on a Saturday: overdue from the Sunday.
    let plan = fixtures::plan(date("2026-11-02"));
    let meeting = core_group("2026-11-02", "2026-11-14");
    assert_eq!(state(&plan, &meeting, "2026-11-14"), (true, false), "due today");
    assert_eq!(state(&plan, &meeting, "2026-11-15"), (true, true), "the day after, a Sunday");
}

#[test]
fn an_action_agreed_on_the_plans_first_day_is_followed_one_agreed_before_it_is_not() {
    let plan = fixtures::plan(date("2026-11-02"));
    assert_eq!(state(&plan, &core_group("2026-11-02", "2026-11-09"), "2026-11-20"), (true, true));
    // Agreed the day before: on the earlier plan. Listed, never overdue.
    assert_eq!(state(&plan, &core_group("2026-11-01", "2026-11-09"), "2026-11-20"), (false, false));
}

#[test]
fn an_action_on_a_plan_that_ended_is_followed_through_its_last_day_and_not_after() {
    let plan =
        ProtectionPlan { deregistered_on: Some(date("2026-11-30")), ..fixtures::plan(date("2026-09-01")) };
    let meeting = core_group("2026-10-05", "2026-10-19");
    assert_eq!(state(&plan, &meeting, "2026-11-30"), (true, true), "the plan's last day");
    assert_eq!(state(&plan, &meeting, "2026-12-01"), (false, false), "the day after it ended");
}

#[test]
fn an_action_done_is_never_overdue_and_no_plan_follows_nothing() {
    let plan = fixtures::plan(date("2026-11-02"));
    let meetings = [core_group("2026-11-02", "2026-11-09")];
    let agreed = agreed_actions(&meetings, &[]).next().unwrap();
    assert!(!agreed.is_overdue(Some(&plan), true, date("2026-11-20")));
    assert!(!agreed.is_followed(None, date("2026-11-20")));
}
