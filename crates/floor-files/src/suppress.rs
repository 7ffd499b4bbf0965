//! Small-count suppression: which of a table's figures may be published
//! without letting anyone work out a count below [`THRESHOLD`].
//!
//! The table is the report's declared genders: a count per gender, their
//! sum (the requests that declared one), and the requests that declared
//! none. The number of requests, their grand total, is published
//! elsewhere in the report and is never hidden. So a reader knows two
//! equations: the genders sum to the declared total, and the declared
//! total plus those not given make the requests.
//!
//! A count below the threshold (0 included) is hidden, shown as "fewer
//! than 5": a reader knows it lies in 0..=4. A hidden figure is
//! *recomputable* when, given every published figure, the two equations
//! and the range of every hidden one, its value is determined. While one
//! is, more figures must be hidden; a figure of 5 or more hidden only to
//! protect a smaller one is shown as such, so a reader knows it is at
//! least 5. Of all the sets of figures to hide that leave nothing
//! recomputable, [`publish`] takes the one that hides the fewest figures,
//! then the smallest sum of hidden values (the least information lost):
//! the table has 6 figures, so it tries them all (64 sets). When even
//! hiding them all leaves one recomputable (e.g. 8 requests, 4 declared),
//! nothing is published.
//!
//! Recomputable is decided by narrowing each figure's range with the two
//! equations until nothing changes. The equations share only the declared
//! total (their structure is a tree), and each is a plain sum over integer
//! ranges, so the ranges this reaches are exactly the values each figure
//! can take: a figure is determined exactly when its range is one value.

use schemars::JsonSchema;
use serde::Serialize;

/// Counts below this are never published.
pub const THRESHOLD: u64 = 5;

/// How one figure is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Shown {
    /// The figure itself.
    Count(u64),
    /// Hidden: below [`THRESHOLD`].
    FewerThanThreshold,
    /// Hidden: [`THRESHOLD`] or more, hidden so that a smaller figure
    /// cannot be worked out from the others.
    ProtectsSmaller,
}

impl Shown {
    /// The figure, if published.
    pub fn count(self) -> Option<u64> {
        match self {
            Shown::Count(n) => Some(n),
            _ => None,
        }
    }

    /// The figure in words: the number, `fewer than 5` or `5 or more`
    /// (hidden).
    pub fn words(self) -> String {
        match self {
            Shown::Count(n) => n.to_string(),
            Shown::FewerThanThreshold => format!("fewer than {THRESHOLD}"),
            Shown::ProtectsSmaller => format!("{THRESHOLD} or more (hidden)"),
        }
    }
}

/// The published form of a table of declared genders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    /// Each gender's figure, in the order given.
    pub genders: Vec<Shown>,
    /// The declared total.
    pub declared: Shown,
    /// Requests that declared none.
    pub not_given: Shown,
}

/// A figure's possible values, as a reader can narrow them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Range {
    lo: u64,
    hi: u64,
}

/// Narrows `parts` and `whole` so that `Σ parts = whole` can hold; whether
/// any range changed.
fn narrow_sum(ranges: &mut [Range], parts: &[usize], whole: usize) -> bool {
    let before: Vec<Range> = ranges.to_vec();
    let lo: u64 = parts.iter().map(|&i| ranges[i].lo).sum();
    let hi: u64 = parts.iter().map(|&i| ranges[i].hi).sum();
    let w = &mut ranges[whole];
    w.lo = w.lo.max(lo);
    w.hi = w.hi.min(hi);
    let (wlo, whi) = (w.lo, w.hi);
    for &i in parts {
        let others_lo = lo - ranges[i].lo;
        let others_hi = hi - ranges[i].hi;
        let r = &mut ranges[i];
        r.lo = r.lo.max(wlo.saturating_sub(others_hi));
        r.hi = r.hi.min(whi.saturating_sub(others_lo));
    }
    ranges != before.as_slice()
}

/// Whether hiding the figures of `mask` leaves none of them recomputable.
/// `values` holds the genders, then the declared total, then not given.
fn safe(values: &[u64], mask: u32) -> bool {
    let k = values.len() - 2;
    let requests = values[k] + values[k + 1];
    let hidden = |i: usize| mask & (1 << i) != 0;
    let mut ranges: Vec<Range> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| match (hidden(i), v < THRESHOLD) {
            (false, _) => Range { lo: v, hi: v },
            (true, true) => Range {
                lo: 0,
                hi: THRESHOLD - 1,
            },
            (true, false) => Range {
                lo: THRESHOLD,
                hi: requests,
            },
        })
        .collect();
    // The requests, a published figure of its own.
    ranges.push(Range {
        lo: requests,
        hi: requests,
    });
    let genders: Vec<usize> = (0..k).collect();
    while narrow_sum(&mut ranges, &genders, k) | narrow_sum(&mut ranges, &[k, k + 1], k + 2) {}
    (0..values.len()).all(|i| !hidden(i) || ranges[i].lo < ranges[i].hi)
}

/// What may be published of a table: one count per gender and the
/// requests that declared none (the declared total is their sum, and the
/// requests the sum of both). `None`: nothing can be published without
/// letting a count below [`THRESHOLD`] be worked out.
pub fn publish(genders: &[u64], not_given: u64) -> Option<Published> {
    let declared: u64 = genders.iter().sum();
    let mut values = genders.to_vec();
    values.extend([declared, not_given]);
    let n = values.len();
    if n > 16 {
        return None;
    }
    let primary: u32 = (0..n)
        .filter(|&i| values[i] < THRESHOLD)
        .fold(0, |mask, i| mask | 1 << i);
    let cost = |mask: u32| {
        let sum: u64 = (0..n)
            .filter(|&i| mask & (1 << i) != 0)
            .map(|i| values[i])
            .sum();
        (mask.count_ones(), sum, mask)
    };
    let best = (0..1u32 << n)
        .filter(|mask| mask & primary == primary)
        .filter(|&mask| safe(&values, mask))
        .min_by_key(|&mask| cost(mask))?;
    let shown = |i: usize| match (best & (1 << i) != 0, values[i] < THRESHOLD) {
        (false, _) => Shown::Count(values[i]),
        (true, true) => Shown::FewerThanThreshold,
        (true, false) => Shown::ProtectsSmaller,
    };
    Some(Published {
        genders: (0..genders.len()).map(shown).collect(),
        declared: shown(n - 2),
        not_given: shown(n - 1),
    })
}

#[cfg(test)]
mod tests {
    use super::Shown::{Count, FewerThanThreshold as Few, ProtectsSmaller as Hid};
    use super::*;

    fn check(genders: &[u64], not_given: u64, expect: Option<(&[Shown], Shown, Shown)>) {
        let got = publish(genders, not_given);
        let want = expect.map(|(g, d, n)| Published {
            genders: g.to_vec(),
            declared: d,
            not_given: n,
        });
        assert_eq!(got, want, "{genders:?} + {not_given} not given");
    }

    #[test]
    fn large_counts_are_all_published() {
        check(
            &[12, 10, 6, 5],
            8,
            Some((
                &[Count(12), Count(10), Count(6), Count(5)],
                Count(33),
                Count(8),
            )),
        );
    }

    #[test]
    fn one_declaration_in_eighteen_requests_hides_the_not_given_too() {
        // The report of issue 17 said "Declared with 1 of 18 requests:
        // man: 1". Not given (17) published would give the declared total
        // (18 - 17 = 1).
        check(&[0, 1, 0, 0], 17, Some((&[Few, Few, Few, Few], Few, Hid)));
    }

    #[test]
    fn a_lone_small_count_is_protected_by_the_smallest_figure_that_can() {
        // Non-binary 3 would be 36 - 20 - 7 - 6; hiding another (6) as
        // well leaves non-binary + another = 9, another in 5..=9.
        check(
            &[20, 7, 3, 6],
            9,
            Some((&[Count(20), Count(7), Few, Hid], Count(36), Count(9))),
        );
    }

    #[test]
    fn zeros_are_small_counts_and_a_figure_of_exactly_five_protects_nothing() {
        // Non-binary and another (0, 0) would be 22 - 12 - 10. Hiding man
        // (10) leaves man + non-binary + another = 10, man in 5..=10.
        check(
            &[12, 10, 0, 0],
            8,
            Some((&[Count(12), Hid, Few, Few], Count(22), Count(8))),
        );
        // A 5 hidden beside a 0 is still determined (5 + 0 = 5, at least
        // 5): the next figure is hidden instead.
        check(
            &[9, 5, 0, 6],
            7,
            Some((&[Count(9), Count(5), Few, Hid], Count(20), Count(7))),
        );
    }

    #[test]
    fn small_tables_are_hidden_whole_when_nothing_is_determined() {
        // The recorded session: woman 2, man 1, non-binary 1, none 3: 7
        // requests; the declared total and not given are both in 3..=4.
        check(&[2, 1, 1, 0], 3, Some((&[Few, Few, Few, Few], Few, Few)));
    }

    #[test]
    fn nothing_is_published_when_even_hiding_everything_gives_a_count_away() {
        // 8 requests, every figure below 5: declared and not given can
        // only be 4 and 4.
        check(&[2, 2, 0, 0], 4, None);
        // 5 requests, none declared: not given (5) and the declared total
        // (0) cannot both hide.
        check(&[0, 0, 0, 0], 5, None);
        // No requests: every figure is 0.
        check(&[0, 0, 0, 0], 0, None);
    }

    #[test]
    fn no_published_pattern_leaves_a_hidden_figure_determined() {
        // Exhaustively over small tables: whatever is published, every
        // hidden figure keeps at least two possible values, which is what
        // `safe` checks; here checked by brute force over all tables with
        // the same published figures and ranges.
        for a in 0..7u64 {
            for b in 0..7 {
                for c in 0..3 {
                    for n in 0..9 {
                        let Some(p) = publish(&[a, b, c], n) else {
                            continue;
                        };
                        let mut seen: Vec<Vec<u64>> = Vec::new();
                        for x in 0..12u64 {
                            for y in 0..12 {
                                for z in 0..12 {
                                    for m in 0..20 {
                                        if x + y + z + m != a + b + c + n {
                                            continue;
                                        }
                                        let values = [x, y, z, x + y + z, m];
                                        let shown =
                                            p.genders.iter().chain([&p.declared, &p.not_given]);
                                        let fits = shown.zip(values).all(|(s, v)| match s {
                                            Count(c) => *c == v,
                                            Few => v < THRESHOLD,
                                            Hid => v >= THRESHOLD,
                                        });
                                        if fits {
                                            seen.push(values.to_vec());
                                        }
                                    }
                                }
                            }
                        }
                        let shown: Vec<Shown> = p
                            .genders
                            .iter()
                            .chain([&p.declared, &p.not_given])
                            .copied()
                            .collect();
                        for (i, s) in shown.iter().enumerate() {
                            if s.count().is_none() {
                                let first = seen.first().map(|v| v[i]);
                                assert!(
                                    seen.iter().any(|v| Some(v[i]) != first),
                                    "figure {i} of {a},{b},{c} + {n} is determined: {p:?}"
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}
