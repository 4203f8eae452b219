//! `raidai setup …` and `raidai user …`: first-run setup of an installation and its user
//! accounts.

use crate::{DbArgs, open};
use anyhow::{Context, Result, bail};
use clap::Subcommand;
use raidai_store::Actor;
use raidai_store::users::UserInput;
use std::io::BufRead;
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum SetupCmd {
    /// Serve province CODE (2 digits, e.g. 44): the province and all its districts are taken
    /// from the bundled Thai geography. Then: `units import`, `user import` (or `user add`).
    Province {
        #[command(flatten)]
        db: DbArgs,
        code: String,
    },
    /// What the installation has and what is still missing.
    Status {
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Subcommand)]
pub enum UserCmd {
    /// Create a user. The password comes from --password, RAIDAI_PASSWORD or the first line of stdin.
    Add {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: Option<String>,
        /// admin | province | district | unit_head | unit_revenue
        #[arg(long)]
        role: String,
        /// Province (2 digits), district (4 digits) or unit code (5 digits), as the role needs.
        #[arg(long, default_value = "")]
        scope: String,
        #[arg(long, env = "RAIDAI_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// Set a user's password (ends their sessions).
    Passwd {
        #[command(flatten)]
        db: DbArgs,
        #[arg(long)]
        username: String,
        #[arg(long, env = "RAIDAI_PASSWORD", hide_env_values = true)]
        password: Option<String>,
    },
    /// List users.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Create users from CSV (header: username,display_name,role,scope_code[,password]); all or
    /// nothing. An empty password gets a random one, printed once.
    Import {
        #[command(flatten)]
        db: DbArgs,
        file: PathBuf,
    },
}

fn read_password(p: Option<String>) -> Result<String> {
    if let Some(p) = p {
        return Ok(p);
    }
    eprintln!("password (one line on stdin):");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let pw = line.trim_end_matches(['\r', '\n']).to_string();
    if pw.is_empty() {
        bail!("no password given (use --password, RAIDAI_PASSWORD or stdin)");
    }
    Ok(pw)
}

pub async fn setup_cmd(cmd: SetupCmd, db_url: impl Fn(&DbArgs) -> Result<String>) -> Result<()> {
    let sys = Actor::system();
    match cmd {
        SetupCmd::Province { db, code } => {
            let store = open(&db_url(&db)?).await?;
            let n = store.setup_province(&sys, &code).await?;
            let p = raidai_domain::geography::province(code.trim()).map(|p| p.name_en);
            println!(
                "this installation serves province {} ({}) with {n} districts",
                code.trim(),
                p.unwrap_or("")
            );
        }
        SetupCmd::Status { db } => {
            let store = open(&db_url(&db)?).await?;
            let st = store.setup_status(&sys).await?;
            let names: Vec<String> = st
                .provinces
                .iter()
                .map(|p| format!("{} {}", p.code, p.name_en))
                .collect();
            println!("province      {}", names.join(", "));
            println!("districts     {}", st.districts);
            println!("units         {} (hospitals: {})", st.units, st.hospitals);
            println!(
                "users         {} provincial, {} district, {} unit",
                st.province_users, st.district_users, st.unit_users
            );
            let missing: Vec<&str> = st.missing().iter().map(|m| m.code()).collect();
            if missing.is_empty() {
                println!("setup complete");
            } else {
                println!("still missing: {}", missing.join(", "));
            }
        }
    }
    Ok(())
}

pub async fn user_cmd(cmd: UserCmd, db_url: impl Fn(&DbArgs) -> Result<String>) -> Result<()> {
    let sys = Actor::system();
    match cmd {
        UserCmd::Add {
            db,
            username,
            display_name,
            role,
            scope,
            password,
        } => {
            let store = open(&db_url(&db)?).await?;
            let input = UserInput {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                role,
                scope_code: scope,
                active: true,
                password: read_password(password)?,
            };
            let u = store.create_user(&sys, &input).await?;
            println!("created user {} ({})", u.who.username, u.who.role.code());
        }
        UserCmd::Passwd {
            db,
            username,
            password,
        } => {
            let store = open(&db_url(&db)?).await?;
            store
                .set_password(&sys, &username, &read_password(password)?)
                .await?;
            println!("password set for {username}");
        }
        UserCmd::Import { db, file } => {
            let store = open(&db_url(&db)?).await?;
            let data =
                std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
            let users = store
                .import_users(&sys, &data)
                .await
                .with_context(|| format!("{}: nothing imported", file.display()))?;
            println!("created {} users from {}", users.len(), file.display());
            for u in &users {
                match &u.generated_password {
                    Some(pw) => println!(
                        "  {:<20} {:<14} {:<8} password {pw} (shown once)",
                        u.username, u.role, u.scope_code
                    ),
                    None => println!("  {:<20} {:<14} {}", u.username, u.role, u.scope_code),
                }
            }
        }
        UserCmd::List { db } => {
            let store = open(&db_url(&db)?).await?;
            println!(
                "{:<20} {:<14} {:<8} {:<6} name",
                "username", "role", "scope", "active"
            );
            for u in store.list_users(&sys).await? {
                let scope = u
                    .who
                    .hcode
                    .or(u
                        .who
                        .district_code
                        .filter(|_| u.who.role == raidai_domain::master::Role::District))
                    .or(u.who.province_code)
                    .unwrap_or_else(|| "*".into());
                println!(
                    "{:<20} {:<14} {:<8} {:<6} {}",
                    u.who.username,
                    u.who.role.code(),
                    scope,
                    if u.active { "yes" } else { "no" },
                    u.who.display_name
                );
            }
        }
    }
    Ok(())
}
