//! Pure domain rules of raidai: no IO, no async, no SQL.

pub mod accounts;
pub mod audit;
pub mod calendar;
mod embedded;
pub mod geography;
pub mod ids;
pub mod master;
pub mod money;
pub mod periods;
pub mod posting;
pub mod rights;
pub mod settlement;
pub mod text;
