//! Medians per peer group, and filling the medians a unit lacks.

use std::collections::BTreeMap;

use crate::num::{Satang, div_round_half_away};

use super::{TpsCosts, TpsInput, TpsMedians};

// ---------------------------------------------------------------------------------------------
// Medians
// ---------------------------------------------------------------------------------------------

/// A value whose median can be taken.
pub trait MedianValue: Copy + PartialOrd {
    /// The middle of two values (even-sized groups).
    fn midpoint(a: Self, b: Self) -> Self;
    /// Values that take part (finite numbers).
    fn usable(self) -> bool {
        true
    }
}

impl MedianValue for i64 {
    /// Rounded to the nearest integer, halves away from zero.
    fn midpoint(a: Self, b: Self) -> Self {
        div_round_half_away(i128::from(a) + i128::from(b), 2).map_or(a, |v| v as i64)
    }
}

impl MedianValue for Satang {
    /// Rounded to the nearest satang, halves away from zero.
    fn midpoint(a: Self, b: Self) -> Self {
        Satang(<i64 as MedianValue>::midpoint(a.0, b.0))
    }
}

impl MedianValue for f64 {
    fn midpoint(a: Self, b: Self) -> Self {
        (a + b) / 2.0
    }
    fn usable(self) -> bool {
        self.is_finite()
    }
}

/// Median of `values` (middle value, or the midpoint of the two middle values); `None` if empty.
pub fn median<V: MedianValue>(values: &[V]) -> Option<V> {
    let mut v: Vec<V> = values.iter().copied().filter(|x| x.usable()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(|a, b| a.partial_cmp(b).expect("usable values are ordered"));
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        V::midpoint(v[n / 2 - 1], v[n / 2])
    })
}

/// Median per peer group of `(peer_group, value)` pairs.
pub fn group_medians<G: Ord + Clone, V: MedianValue>(units: &[(G, V)]) -> BTreeMap<G, V> {
    let mut by: BTreeMap<G, Vec<V>> = BTreeMap::new();
    for (g, v) in units {
        by.entry(g.clone()).or_default().push(*v);
    }
    by.into_iter()
        .filter_map(|(g, vs)| median(&vs).map(|m| (g, m)))
        .collect()
}

/// All TPS medians per peer group, computed across the units given.
pub fn peer_medians(inputs: &[TpsInput]) -> BTreeMap<String, TpsMedians> {
    fn col<V: MedianValue>(
        inputs: &[TpsInput],
        f: impl Fn(&TpsInput) -> Option<V>,
    ) -> BTreeMap<String, V> {
        let pairs: Vec<(String, V)> = inputs
            .iter()
            .filter_map(|i| f(i).map(|v| (i.peer_group.clone(), v)))
            .collect();
        group_medians(&pairs)
    }
    let op = col(inputs, |i| i.costs.unit_cost_op);
    let ip = col(inputs, |i| i.costs.unit_cost_ip);
    let lc = col(inputs, |i| i.costs.labour_cost);
    let drug = col(inputs, |i| i.costs.mc_drug);
    let lab = col(inputs, |i| i.costs.mc_lab);
    let sup = col(inputs, |i| i.costs.mc_supplies);
    let rw = col(inputs, |i| i.sum_adjrw);
    let om = col(inputs, |i| i.operating_margin_pct);
    let roa = col(inputs, |i| i.roa_pct);
    let mut out = BTreeMap::new();
    for i in inputs {
        let g = &i.peer_group;
        out.entry(g.clone()).or_insert_with(|| TpsMedians {
            costs: TpsCosts {
                unit_cost_op: op.get(g).copied(),
                unit_cost_ip: ip.get(g).copied(),
                labour_cost: lc.get(g).copied(),
                mc_drug: drug.get(g).copied(),
                mc_lab: lab.get(g).copied(),
                mc_supplies: sup.get(g).copied(),
            },
            sum_adjrw: rw.get(g).copied(),
            operating_margin_pct: om.get(g).copied(),
            roa_pct: roa.get(g).copied(),
        });
    }
    out
}

/// Fills every median an input lacks with the median of its peer group across `inputs`.
/// Medians already given (official ones) are kept.
pub fn fill_missing_medians(inputs: &mut [TpsInput]) {
    let computed = peer_medians(inputs);
    for i in inputs.iter_mut() {
        if let Some(c) = computed.get(&i.peer_group) {
            i.medians.fill_from(c);
        }
    }
}

impl TpsMedians {
    /// Takes from `other` every median this one lacks.
    pub fn fill_from(&mut self, other: &TpsMedians) {
        self.costs.unit_cost_op = self.costs.unit_cost_op.or(other.costs.unit_cost_op);
        self.costs.unit_cost_ip = self.costs.unit_cost_ip.or(other.costs.unit_cost_ip);
        self.costs.labour_cost = self.costs.labour_cost.or(other.costs.labour_cost);
        self.costs.mc_drug = self.costs.mc_drug.or(other.costs.mc_drug);
        self.costs.mc_lab = self.costs.mc_lab.or(other.costs.mc_lab);
        self.costs.mc_supplies = self.costs.mc_supplies.or(other.costs.mc_supplies);
        self.sum_adjrw = self.sum_adjrw.or(other.sum_adjrw);
        self.operating_margin_pct = self.operating_margin_pct.or(other.operating_margin_pct);
        self.roa_pct = self.roa_pct.or(other.roa_pct);
    }
}
