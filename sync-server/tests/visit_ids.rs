//! A visit id is not a capability (issue 10: "look for the same class of defect elsewhere").
//! A conflict answers with the server's version of a revision, so it must only be given to
//! someone who may see the child now, not to anyone who can name a date when they could.

mod common;

use chrono::Days;
use common::*;

#[tokio::test]
async fn a_duty_worker_whose_cover_ended_cannot_read_later_revisions_by_pushing_a_conflict() {
    let world = World::new().await;
    let evie = world.child("DEMO-0201").await;
    let tom = world.login("tom.north").await;
    let dana = world.login("dana.duty").await;
    let mut cover = world.cover(evie.id, "dana.duty", -6, 0).await;

    // Tom's visit during the cover, which dana pulled while covering, then his amendment.
    let during = world.today().checked_sub_days(Days::new(3)).unwrap();
    let first = visit_on(evie.id, tom.worker_id(), during);
    assert_eq!(outcome(&world.push_outcomes(&tom, std::slice::from_ref(&first)).await[0]), "accepted");
    let amended = amend(&first, "the grandparents' flat");
    assert_eq!(outcome(&world.push_outcomes(&tom, std::slice::from_ref(&amended)).await[0]), "accepted");

    // The cover ends. Dana pushes her own "revision 2" of the visit she knows, dated in the cover.
    cover.ends_on = world.today().pred_opt().unwrap();
    world.state.store().put_cover(&cover).await.unwrap();
    let mut probe = amend(&first, "somewhere else");
    probe.worker_id = dana.worker_id();
    let (status, body) = world.push(&dana, &[probe]).await;
    assert!(status.is_success(), "{body}");
    assert_eq!(body["results"][0]["outcome"], "rejected", "{body}");
    assert!(!body.to_string().contains("grandparents"), "tom's amendment leaked: {body}");
    let (_, conflicts) = world.get("/api/conflicts", dana.access()).await;
    assert!(!conflicts.to_string().contains("grandparents"), "{conflicts}");
}

#[tokio::test]
async fn a_duty_worker_on_cover_is_still_shown_a_conflict_on_the_covered_childs_visit() {
    let world = World::new().await;
    let evie = world.child("DEMO-0201").await;
    let tom = world.login("tom.north").await;
    let dana = world.login("dana.duty").await;
    world.cover(evie.id, "dana.duty", -6, 1).await;
    let during = world.today().checked_sub_days(Days::new(3)).unwrap();
    let first = visit_on(evie.id, tom.worker_id(), during);
    assert_eq!(outcome(&world.push_outcomes(&tom, std::slice::from_ref(&first)).await[0]), "accepted");
    let amended = amend(&first, "the grandparents' flat");
    assert_eq!(outcome(&world.push_outcomes(&tom, std::slice::from_ref(&amended)).await[0]), "accepted");

    let mut mine = amend(&first, "somewhere else");
    mine.worker_id = dana.worker_id();
    let results = world.push_outcomes(&dana, &[mine]).await;
    assert_eq!(outcome(&results[0]), "conflict", "both versions kept, as before");
}
