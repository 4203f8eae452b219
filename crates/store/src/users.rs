//! Users, password login and database-backed sessions.

use crate::audit::Change;
use crate::master::unique_to_field;
use crate::sql::binds;
use crate::sql::{Sql, get_i, get_os, get_s};
use crate::{Actor, FieldError, Identity, Store, StoreError, now_ms};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine as _;
use raidai_domain::master::Role;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;

/// A user as shown to admins; never carries the password hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: String,
    #[serde(flatten)]
    pub who: Identity,
    pub active: bool,
    pub created_at: i64,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: Some(self.id.clone()),
            who: self.who.clone(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserInput {
    pub username: String,
    pub display_name: String,
    pub role: String,
    /// Only the field the role needs is used: province, district or unit code.
    pub scope_code: String,
    pub active: bool,
    /// Required when creating; when editing, empty keeps the current password.
    pub password: String,
}

pub const MIN_PASSWORD_LEN: usize = 8;
/// Sessions end after 12 hours: a working day on a shared ward computer.
pub const SESSION_TTL_MS: i64 = 12 * 3600 * 1000;

const USER_COLS: &str =
    "id, username, display_name, role, province_code, district_code, hcode, active, created_at";

fn user_from_row(r: &AnyRow) -> Result<User, StoreError> {
    let role = get_s(r, "role")?;
    Ok(User {
        id: get_s(r, "id")?,
        who: Identity {
            username: get_s(r, "username")?,
            display_name: get_s(r, "display_name")?,
            role: Role::parse(&role)
                .ok_or_else(|| StoreError::Config(format!("unknown role {role}")))?,
            province_code: get_os(r, "province_code")?,
            district_code: get_os(r, "district_code")?,
            hcode: get_os(r, "hcode")?,
        },
        active: get_i(r, "active")? != 0,
        created_at: get_i(r, "created_at")?,
    })
}

fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Hashes a password with argon2id on a blocking thread (tens of milliseconds of CPU).
pub async fn hash_password(password: String) -> Result<String, StoreError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
            .map_err(|e| StoreError::Config(format!("salt: {e}")))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| StoreError::Config(format!("password hash: {e}")))
    })
    .await
    .map_err(|e| StoreError::Config(format!("hashing task: {e}")))?
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

fn check_password(pw: &str) -> Result<(), StoreError> {
    if pw.chars().count() < MIN_PASSWORD_LEN {
        return Err(StoreError::field(
            "password",
            format!("password must be at least {MIN_PASSWORD_LEN} characters"),
            format!("รหัสผ่านต้องมีอย่างน้อย {MIN_PASSWORD_LEN} ตัวอักษร"),
        ));
    }
    Ok(())
}

impl Store {
    /// Checks the role's scope code exists and returns (province, district, hcode).
    async fn resolve_scope(
        &self,
        role: Role,
        code: &str,
    ) -> Result<(Option<String>, Option<String>, Option<String>), StoreError> {
        let sys = Actor::system();
        let code = code.trim();
        let missing = |what_en: &str, what_th: &str| {
            StoreError::field(
                "scope_code",
                format!("this role needs an existing {what_en} code"),
                format!("บทบาทนี้ต้องระบุรหัส{what_th}ที่มีในระบบ"),
            )
        };
        match role {
            Role::Admin => Ok((None, None, None)),
            Role::Province => {
                let ok = self
                    .list_provinces(&sys)
                    .await?
                    .iter()
                    .any(|p| p.code == code);
                if ok {
                    Ok((Some(code.into()), None, None))
                } else {
                    Err(missing("province", "จังหวัด"))
                }
            }
            Role::District => match self.get_district(&sys, code).await {
                Ok(d) => Ok((Some(d.province_code), Some(d.code), None)),
                Err(StoreError::NotFound) => Err(missing("district", "อำเภอ")),
                Err(e) => Err(e),
            },
            Role::UnitHead | Role::UnitRevenue => match self.unit_by_code(&sys, code).await {
                Ok(u) => Ok((Some(u.province_code), Some(u.district_code), Some(u.hcode))),
                Err(StoreError::NotFound) => Err(missing("unit", "หน่วยบริการ")),
                Err(e) => Err(e),
            },
        }
    }

    async fn validate_user(
        &self,
        input: &UserInput,
        creating: bool,
    ) -> Result<(Role, (Option<String>, Option<String>, Option<String>)), StoreError> {
        let mut errs = Vec::new();
        let u = input.username.trim();
        if u.len() < 3
            || u.len() > 64
            || !u
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            errs.push(FieldError::new(
                "username",
                "username must be 3–64 characters: letters, digits, . _ -",
                "ชื่อผู้ใช้ต้องมี 3–64 ตัวอักษร (a-z, 0-9, . _ -)",
            ));
        }
        if input.display_name.trim().is_empty() {
            errs.push(FieldError::new(
                "display_name",
                "display name is required",
                "ต้องระบุชื่อที่แสดง",
            ));
        }
        let role = Role::parse(&input.role);
        if role.is_none() {
            errs.push(FieldError::new(
                "role",
                format!("unknown role {:?}", input.role),
                "บทบาทไม่ถูกต้อง",
            ));
        }
        if (creating || !input.password.is_empty())
            && let Err(StoreError::Invalid(e)) = check_password(&input.password)
        {
            errs.extend(e);
        }
        let scope = match role {
            Some(r) => match self.resolve_scope(r, &input.scope_code).await {
                Ok(s) => Some(s),
                Err(StoreError::Invalid(e)) => {
                    errs.extend(e);
                    None
                }
                Err(e) => return Err(e),
            },
            None => None,
        };
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        Ok((role.expect("checked"), scope.expect("checked")))
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn create_user(&self, actor: &Actor, input: &UserInput) -> Result<User, StoreError> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let scope = self.validate_user(input, true).await?;
        let hash = hash_password(input.password.clone()).await?;
        let mut tx = self.pool().begin().await?;
        let user = insert_user(&mut tx, actor, input, scope, hash).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Creates the users of a CSV file (`username,display_name,role,scope_code[,password]`),
    /// all or none; errors name the line and field. An empty password gets a random one,
    /// returned once here (shown to the admin, never stored in clear). Admins only.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn import_users(
        &self,
        actor: &Actor,
        data: &[u8],
    ) -> Result<Vec<ImportedUser>, StoreError> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let rows = parse_users_csv(data)?;
        let mut errs = Vec::new();
        let mut checked = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (line, mut input, generated) in rows {
            if !seen.insert(input.username.trim().to_lowercase()) {
                errs.push(
                    FieldError::new(
                        "username",
                        format!("username {} appears twice in the file", input.username),
                        format!("ชื่อผู้ใช้ {} ซ้ำในไฟล์", input.username),
                    )
                    .at_line(line),
                );
                continue;
            }
            if generated {
                input.password = random_password();
            }
            match self.validate_user(&input, true).await {
                Ok(scope) => checked.push((input, scope, generated)),
                Err(StoreError::Invalid(e)) => {
                    errs.extend(e.into_iter().map(|e| e.at_line(line)));
                }
                Err(e) => return Err(e),
            }
        }
        if !errs.is_empty() {
            return Err(StoreError::Invalid(errs));
        }
        let mut hashed = Vec::with_capacity(checked.len());
        for (input, scope, generated) in checked {
            let hash = hash_password(input.password.clone()).await?;
            hashed.push((input, scope, generated, hash));
        }
        let mut tx = self.pool().begin().await?;
        let mut out = Vec::new();
        for (input, scope, generated, hash) in hashed {
            let user = insert_user(&mut tx, actor, &input, scope, hash).await?;
            out.push(ImportedUser {
                username: user.who.username,
                role: input.role.clone(),
                scope_code: input.scope_code.clone(),
                generated_password: generated.then_some(input.password),
            });
        }
        tx.commit().await?;
        Ok(out)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: &str,
        input: &UserInput,
    ) -> Result<User, StoreError> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let before = self.get_user(actor, id).await?;
        let (role, (p, d, h)) = self.validate_user(input, false).await?;
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new("UPDATE users SET username = ");
        s.text(input.username.trim())
            .push(", display_name = ")
            .text(input.display_name.trim())
            .push(", role = ")
            .text(role.code())
            .push(", province_code = ")
            .opt_text(p)
            .push(", district_code = ")
            .opt_text(d)
            .push(", hcode = ")
            .opt_text(h.clone())
            .push(", active = ")
            .int(i64::from(input.active));
        if !input.password.is_empty() {
            let hash = hash_password(input.password.clone()).await?;
            s.push(", password_hash = ")
                .text(hash)
                .push(", password_changed_at = ")
                .int(now_ms());
        }
        s.push(" WHERE id = ").text(id);
        s.query()
            .execute(&mut *tx)
            .await
            .map_err(|e| unique_to_field(e, "username"))?;
        if !input.active || !input.password.is_empty() {
            // A disabled account or a reset password ends the user's open sessions.
            let mut s = Sql::new("DELETE FROM sessions WHERE user_id = ");
            s.text(id);
            s.query().execute(&mut *tx).await?;
        }
        let after = fetch_user(&mut tx, id).await?;
        Change::new(
            "user",
            &after.who.username,
            if input.password.is_empty() {
                "update"
            } else {
                "update+password"
            },
        )
        .hcode(h.as_deref())
        .before_opt(serde_json::to_value(&before).ok())
        .after_opt(serde_json::to_value(&after).ok())
        .record_and_commit(tx, actor)
        .await?;
        Ok(after)
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn list_users(&self, actor: &Actor) -> Result<Vec<User>, StoreError> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden);
        }
        let s = Sql::new(&format!(
            "SELECT {USER_COLS} FROM users ORDER BY role, username"
        ));
        s.query()
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(user_from_row)
            .collect()
    }

    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn get_user(&self, actor: &Actor, id: &str) -> Result<User, StoreError> {
        if !actor.is_admin() && actor.user_id.as_deref() != Some(id) {
            return Err(StoreError::NotFound);
        }
        let mut s = Sql::new(&format!("SELECT {USER_COLS} FROM users WHERE id = "));
        s.text(id);
        s.query()
            .fetch_optional(self.pool())
            .await?
            .as_ref()
            .map(user_from_row)
            .unwrap_or(Err(StoreError::NotFound))
    }

    /// Checks a username and password. Unknown users cost the same argon2 work as known ones,
    /// so timing does not reveal which accounts exist.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn authenticate(
        &self,
        username: &str,
        password: &str,
    ) -> Result<Option<User>, StoreError> {
        let mut s = Sql::new(&format!(
            "SELECT {USER_COLS}, password_hash FROM users WHERE username = "
        ));
        s.text(username.trim());
        let row = s.query().fetch_optional(self.pool()).await?;
        let Some(row) = row else {
            verify_password(password.to_string(), DUMMY_HASH.to_string()).await;
            return Ok(None);
        };
        let user = user_from_row(&row)?;
        let ok = verify_password(password.to_string(), get_s(&row, "password_hash")?).await;
        Ok((ok && user.active).then_some(user))
    }

    /// Sets a user's password by username (CLI `user passwd`).
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn set_password(
        &self,
        actor: &Actor,
        username: &str,
        password: &str,
    ) -> Result<(), StoreError> {
        if !actor.is_admin() {
            return Err(StoreError::Forbidden);
        }
        check_password(password)?;
        let hash = hash_password(password.to_string()).await?;
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new("UPDATE users SET password_hash = ");
        s.text(hash)
            .push(", password_changed_at = ")
            .int(now_ms())
            .push(" WHERE username = ")
            .text(username);
        if s.query().execute(&mut *tx).await?.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        let mut s = Sql::new(
            "DELETE FROM sessions WHERE user_id IN (SELECT id FROM users WHERE username = ",
        );
        s.text(username).push(")");
        s.query().execute(&mut *tx).await?;
        Change::new("user", username, "password")
            .record_and_commit(tx, actor)
            .await?;
        Ok(())
    }

    /// A user changes their own password, proving the current one.
    /// Changes the caller's password and ends every other session of the user (a stolen
    /// session must not outlive the password change); `keep_session` is the caller's own.
    #[tracing::instrument(level = "debug", skip_all, fields(user = %actor.who.username))]
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        keep_session: Option<&str>,
    ) -> Result<(), StoreError> {
        let id = actor.user_id.clone().ok_or(StoreError::Forbidden)?;
        if self
            .authenticate(&actor.who.username, current)
            .await?
            .is_none()
        {
            return Err(StoreError::field(
                "current_password",
                "current password is wrong",
                "รหัสผ่านปัจจุบันไม่ถูกต้อง",
            ));
        }
        check_password(new)?;
        let hash = hash_password(new.to_string()).await?;
        let mut tx = self.pool().begin().await?;
        let mut s = Sql::new("UPDATE users SET password_hash = ");
        s.text(hash)
            .push(", password_changed_at = ")
            .int(now_ms())
            .push(" WHERE id = ")
            .text(id.clone());
        s.query().execute(&mut *tx).await?;
        let mut s = Sql::new("DELETE FROM sessions WHERE user_id = ");
        s.text(id.clone());
        if let Some(token) = keep_session {
            s.push(" AND token_hash <> ").text(hash_token(token));
        }
        s.query().execute(&mut *tx).await?;
        Change::new("user", &actor.who.username, "password")
            .hcode(actor.who.hcode.as_deref())
            .record_and_commit(tx, actor)
            .await?;
        Ok(())
    }

    /// Opens a session and returns its token; only the token's SHA-256 is stored.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn create_session(&self, user_id: &str) -> Result<String, StoreError> {
        let token =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        let now = now_ms();
        let mut s =
            Sql::new("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (");
        s.list(binds![
            hash_token(&token),
            user_id,
            now,
            now + SESSION_TTL_MS
        ])
        .push(")");
        s.query().execute(self.pool()).await?;
        Ok(token)
    }

    /// The actor behind a live session of an active user.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn session_actor(&self, token: &str) -> Result<Option<Actor>, StoreError> {
        let mut s = Sql::new(&format!(
            "SELECT {} FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ",
            USER_COLS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        s.text(hash_token(token))
            .push(" AND s.expires_at > ")
            .int(now_ms())
            .push(" AND u.active = 1");
        let row = s.query().fetch_optional(self.pool()).await?;
        Ok(row
            .as_ref()
            .map(user_from_row)
            .transpose()?
            .map(|u| u.actor()))
    }

    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn delete_session(&self, token: &str) -> Result<(), StoreError> {
        let mut s = Sql::new("DELETE FROM sessions WHERE token_hash = ");
        s.text(hash_token(token))
            .push(" OR expires_at < ")
            .int(now_ms());
        s.query().execute(self.pool()).await?;
        Ok(())
    }
}

type UserScope = (Role, (Option<String>, Option<String>, Option<String>));

/// A user created by [`Store::import_users`]; `generated_password` only when the file left it empty.
#[derive(Debug, Clone, Serialize)]
pub struct ImportedUser {
    pub username: String,
    pub role: String,
    pub scope_code: String,
    pub generated_password: Option<String>,
}

/// 16 characters from an alphabet without look-alikes (no 0/O, 1/l/I).
fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    (0..16)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// Users CSV: `username,display_name,role,scope_code[,password]` with a header line; UTF-8
/// (a BOM is allowed). Returns (line, input, password to generate).
pub fn parse_users_csv(data: &[u8]) -> Result<Vec<(usize, UserInput, bool)>, StoreError> {
    let mut c = crate::csv_in::CsvIn::open(data)?;
    c.require(&["username", "display_name", "role", "scope_code"])?;
    let cols: Vec<Option<usize>> = ["username", "display_name", "role", "scope_code", "password"]
        .iter()
        .map(|n| c.col(n))
        .collect();
    let mut errs = Vec::new();
    let mut out = Vec::new();
    for (line, rec) in c.records(&mut errs) {
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let get = |k: usize| {
            cols[k]
                .and_then(|i| rec.get(i))
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let password = get(4);
        out.push((
            line,
            UserInput {
                username: get(0),
                display_name: get(1),
                role: get(2),
                scope_code: get(3),
                active: true,
                password: password.clone(),
            },
            password.is_empty(),
        ));
    }
    if !errs.is_empty() {
        return Err(StoreError::Invalid(errs));
    }
    if out.is_empty() {
        return Err(StoreError::field(
            "file",
            "the file has no users",
            "ไฟล์ไม่มีรายชื่อผู้ใช้",
        ));
    }
    Ok(out)
}

async fn insert_user(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    actor: &Actor,
    input: &UserInput,
    (role, (p, d, h)): UserScope,
    hash: String,
) -> Result<User, StoreError> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_ms();
    let mut s = Sql::new(
        "INSERT INTO users (id, username, display_name, password_hash, role, province_code, district_code, hcode, active, created_at, password_changed_at) VALUES (",
    );
    s.list(binds![
        id.clone(),
        input.username.trim(),
        input.display_name.trim(),
        hash,
        role.code(),
        p,
        d,
        h.clone(),
        i64::from(input.active),
        now,
        now
    ])
    .push(")");
    s.query()
        .execute(&mut **tx)
        .await
        .map_err(|e| unique_to_field(e, "username"))?;
    let user = fetch_user(tx, &id).await?;
    Change::new("user", &user.who.username, "create")
        .hcode(h.as_deref())
        .after_opt(serde_json::to_value(&user).ok())
        .record(tx, actor)
        .await?;
    Ok(user)
}

async fn fetch_user(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    id: &str,
) -> Result<User, StoreError> {
    let mut s = Sql::new(&format!("SELECT {USER_COLS} FROM users WHERE id = "));
    s.text(id);
    user_from_row(&s.query().fetch_one(&mut **tx).await?)
}

/// A valid argon2id hash of a random string, verified against when the username is unknown.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Jm2Qyq0n8jvHq8kqG6w8bBq9mW8s0mS3cE9l6cQ0v9I";
