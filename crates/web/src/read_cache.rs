//! What a page computed from the read models, kept while the store's read version stands: a
//! province roll-up is the same for every request until a write changes it, and every write
//! of those models bumps the version in its own transaction (so nothing here can go stale).

use crate::error::AppError;
use raidai_store::{Actor, Store};
use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

type Entry = (i64, Arc<dyn Any + Send + Sync>);

#[derive(Default)]
pub struct ReadCache {
    entries: Mutex<HashMap<String, Entry>>,
}

/// Entries kept at most (scopes × pages × years); past it the cache starts over.
const MAX_ENTRIES: usize = 512;

impl ReadCache {
    /// `compute`'s value for `key` at the store's current read version, computed at most once
    /// per version. The key must name everything the value depends on besides the read models
    /// (the caller's scope: see [`scope_key`]).
    pub async fn get<T, F, Fut>(
        &self,
        store: &Store,
        key: String,
        compute: F,
    ) -> Result<Arc<T>, AppError>
    where
        T: Send + Sync + 'static,
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        let version = store.read_version().await?;
        if let Some((v, value)) = self.entries.lock().expect("cache lock").get(&key)
            && *v == version
            && let Ok(t) = value.clone().downcast::<T>()
        {
            return Ok(t);
        }
        let value = Arc::new(compute().await?);
        let mut m = self.entries.lock().expect("cache lock");
        if m.len() >= MAX_ENTRIES {
            m.clear();
        }
        m.insert(key, (version, value.clone()));
        Ok(value)
    }
}

/// What the store's tenancy filters by: two callers with the same key see the same rows.
pub fn scope_key(me: &Actor) -> String {
    format!(
        "{}:{}:{}:{}",
        me.who.role.code(),
        me.who.province_code.as_deref().unwrap_or(""),
        me.who.district_code.as_deref().unwrap_or(""),
        me.who.hcode.as_deref().unwrap_or("")
    )
}
