//! Running many units of work as tasks, a few at a time: the next one is spawned only when
//! one ends, so a run over thousands of tenants holds the tasks (and plans) of a few only,
//! not of every tenant and report-day at once. A task that panics is named by its label and
//! the others go on.

use std::collections::HashMap;
use std::future::Future;

use tokio::task::{Id, JoinSet};

/// Runs `work` on each of `items`, at most `at_once` at a time, handing each result to
/// `ended` as it comes: `Ok` with the work's output, or `Err` with why its task stopped (a
/// panic), with the item's `label` either way.
pub async fn run_bounded<I, O, Fut>(
    items: impl IntoIterator<Item = I>,
    at_once: usize,
    label: impl Fn(&I) -> String,
    work: impl Fn(I) -> Fut,
    mut ended: impl FnMut(String, Result<O, String>),
) where
    Fut: Future<Output = O> + Send + 'static,
    O: Send + 'static,
{
    let mut items = items.into_iter();
    let mut running = JoinSet::new();
    // Which task is which: a panicked task's JoinError carries its id alone.
    let mut labels: HashMap<Id, String> = HashMap::new();
    loop {
        while running.len() < at_once.max(1) {
            let Some(item) = items.next() else {
                break;
            };
            let name = label(&item);
            let handle = running.spawn(work(item));
            labels.insert(handle.id(), name);
        }
        let Some(done) = running.join_next_with_id().await else {
            return;
        };
        match done {
            Ok((id, output)) => {
                let name = labels.remove(&id).unwrap_or_default();
                ended(name, Ok(output));
            }
            Err(error) => {
                let name = labels.remove(&error.id()).unwrap_or_default();
                let why = if error.is_panic() {
                    "its task panicked (a bug: please report it)".to_owned()
                } else {
                    "its task was cancelled".to_owned()
                };
                ended(name, Err(why));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn at_most_so_many_run_and_a_panic_is_named_while_the_rest_go_on() {
        let now = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let mut results = Vec::new();
        run_bounded(
            0..20_usize,
            3,
            |n| format!("item {n}"),
            |n| {
                let (now, most) = (now.clone(), most.clone());
                async move {
                    let running = now.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(running, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    now.fetch_sub(1, Ordering::SeqCst);
                    assert_ne!(n, 7, "item 7 panics");
                    n
                }
            },
            |name, result| results.push((name, result)),
        )
        .await;
        assert_eq!(results.len(), 20);
        assert_eq!(most.load(Ordering::SeqCst), 3);
        let failed: Vec<_> = results.iter().filter(|(_, r)| r.is_err()).collect();
        assert_eq!(failed.len(), 1, "{results:?}");
        assert_eq!(failed[0].0, "item 7");
        assert!(
            results
                .iter()
                .any(|(name, r)| name == "item 19" && *r == Ok(19))
        );
    }
}
