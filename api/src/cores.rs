//! CPU-bound work shared out over the machine's cores: the items cut into one run per core,
//! each run on a scoped thread, the results back in the items' order. Used where a request or a
//! command does seconds of such work at once (sealing an import's planned rows, hashing a
//! province's one-time passwords); callers run it off the async runtime's threads.

/// `f(index, item)` for every item, on every core, answered in the items' order; the first
/// error (in item order) is the answer. A panic in `f` panics the caller.
pub fn map_in_order<I, T, E, F>(items: Vec<I>, f: F) -> Result<Vec<T>, E>
where
    I: Send,
    T: Send,
    E: Send,
    F: Fn(usize, I) -> Result<T, E> + Sync,
{
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let run = items.len().div_ceil(threads).max(1);
    if items.len() <= run {
        return items.into_iter().enumerate().map(|(i, item)| f(i, item)).collect();
    }
    let mut runs = Vec::with_capacity(threads);
    let mut rest = items.into_iter();
    loop {
        let next: Vec<I> = rest.by_ref().take(run).collect();
        if next.is_empty() {
            break;
        }
        runs.push(next);
    }
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = runs
            .into_iter()
            .enumerate()
            .map(|(n, items)| {
                scope.spawn(move || {
                    items.into_iter().enumerate().map(|(k, item)| f(n * run + k, item)).collect::<Result<Vec<T>, E>>()
                })
            })
            .collect();
        let mut out = Vec::new();
        for handle in handles {
            out.extend(handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))?);
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_in_order_with_the_items_indexes_and_the_first_error() {
        for n in [0usize, 1, 2, 5, 1_001] {
            let items: Vec<String> = (0..n).map(|i| format!("dòng {i}")).collect();
            let out = map_in_order(items, |i, s| Ok::<_, String>(format!("{i}:{s}"))).expect("no error");
            assert_eq!(out, (0..n).map(|i| format!("{i}:dòng {i}")).collect::<Vec<_>>(), "{n}");
        }
        let failed = map_in_order((0..1_001).collect(), |i, _: i32| if i >= 700 { Err(i) } else { Ok(i) });
        assert_eq!(failed, Err(700), "the first error in item order");
    }
}
