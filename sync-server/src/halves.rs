//! Work on a large request split over two threads: one device's request waits for the one
//! before it, so on a two-core machine a 500-visit push is as fast as its slowest single path.

/// From how many items work is split: below this, starting a thread costs more than it saves.
pub const SPLIT_FROM: usize = 64;

/// `work(items)`, but from [`SPLIT_FROM`] items on two threads, one half each, with the results
/// in the order of `items`. The first error is returned, as `work(items)` would. Should the OS
/// refuse the second thread, this one does both halves; a panic in either half goes on here.
pub fn in_halves<T: Sync, R: Send, E: Send>(
    items: &[T],
    work: impl Fn(&[T]) -> Result<Vec<R>, E> + Sync,
) -> Result<Vec<R>, E> {
    split(items, work, true)
}

/// [`in_halves`], told whether it may start the second thread: `false` takes the path it takes
/// when the OS refuses one, which a test cannot make the OS do.
fn split<T: Sync, R: Send, E: Send>(
    items: &[T],
    work: impl Fn(&[T]) -> Result<Vec<R>, E> + Sync,
    may_start_a_thread: bool,
) -> Result<Vec<R>, E> {
    if items.len() < SPLIT_FROM {
        return work(items);
    }
    let (first, second) = items.split_at(items.len() / 2);
    std::thread::scope(|scope| {
        let other = may_start_a_thread
            .then(|| std::thread::Builder::new().spawn_scoped(scope, || work(second)).ok())
            .flatten();
        let mut done = work(first)?;
        done.extend(match other {
            Some(other) => other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?,
            None => work(second)?,
        });
        Ok(done)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_the_order_of_the_items_and_the_first_error() {
        let doubled = |part: &[u32]| -> Result<Vec<u32>, u32> {
            part.iter().map(|&n| if n == 7 || n == 90 { Err(n) } else { Ok(n * 2) }).collect()
        };
        for len in [0, 1, SPLIT_FROM - 1, SPLIT_FROM, 500] {
            let items: Vec<u32> = (100..100 + len as u32).collect();
            assert_eq!(in_halves(&items, doubled), Ok(items.iter().map(|n| n * 2).collect()), "{len} items");
        }
        let items: Vec<u32> = (0..200).collect();
        assert_eq!(in_halves(&items, doubled), Err(7), "an error in the first half wins");
        let items: Vec<u32> = (50..200).collect();
        assert_eq!(in_halves(&items, doubled), Err(90), "and one in the second half is returned");
    }

    #[test]
    fn without_a_second_thread_this_one_does_both_halves_with_the_same_results() {
        let doubled = |part: &[u32]| -> Result<Vec<u32>, u32> {
            part.iter().map(|&n| if n == 7 || n == 90 { Err(n) } else { Ok(n * 2) }).collect()
        };
        let here = std::thread::current().id();
        let on_this_thread = |part: &[u32]| {
            assert_eq!(std::thread::current().id(), here, "no thread was to be started");
            doubled(part)
        };
        let items: Vec<u32> = (100..600).collect();
        assert_eq!(split(&items, on_this_thread, false), in_halves(&items, doubled));
        assert_eq!(split(&items, on_this_thread, false), Ok(items.iter().map(|n| n * 2).collect()));
        let items: Vec<u32> = (0..200).collect();
        assert_eq!(split(&items, on_this_thread, false), Err(7));
        let items: Vec<u32> = (50..200).collect();
        assert_eq!(split(&items, on_this_thread, false), Err(90));
    }
}
