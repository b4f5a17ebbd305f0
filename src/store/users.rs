//! The workbench's users: name, role (a 园区 user with its park), password hash, enabled or
//! not. The store keeps the hash it is given ([`crate::password`] makes it); every change is in
//! the audit log.

use rusqlite::{params, OptionalExtension};

use super::record::audit;
use super::{sql, Store, StoreError};

/// What a user may do and see (WORKFLOW.md, roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// 经信委: everything, and managing users.
    Bureau,
    /// 园区: its own park only.
    Park,
    /// 自然资源: the land checks and register; results read-only.
    Land,
    /// 只读: results and reports.
    ReadOnly,
}

impl Role {
    /// Every role, in the order shown to users.
    pub const ALL: [Role; 4] = [Role::Bureau, Role::Park, Role::Land, Role::ReadOnly];

    /// The role's name as users write it.
    pub fn label(self) -> &'static str {
        match self {
            Role::Bureau => "经信委",
            Role::Park => "园区",
            Role::Land => "自然资源",
            Role::ReadOnly => "只读",
        }
    }

    /// The role named `text`, if any.
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.label() == text.trim())
    }
}

/// A user as stored (without the password hash).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// The park of a 园区 user.
    pub park: Option<String>,
    /// Disabled accounts cannot log in.
    pub disabled: bool,
    /// When the account was created and last changed (RFC 3339 UTC).
    pub created_at: String,
    /// Last change (password, disabled).
    pub changed_at: String,
}

impl Store {
    /// Add a user; `by` is who did it (audit). Refused when the name is taken, or the park is
    /// missing for a 园区 user or given for another role.
    pub fn add_user(
        &mut self,
        user: &User,
        password_hash: &str,
        by: &str,
    ) -> Result<(), StoreError> {
        match (user.role, &user.park) {
            (Role::Park, None) => return refuse("园区用户须用 --park 写明所属园区".into()),
            (r, Some(_)) if r != Role::Park => {
                return refuse(format!("只有园区用户有所属园区，{}用户不能写 --park", r.label()))
            }
            _ => {}
        }
        let path = self.path.clone();
        let e = sql(&path, "添加用户");
        let tx = self.write().map_err(&e)?;
        insert_user(&tx, user, password_hash, by, &e)?;
        tx.commit().map_err(&e)
    }

    /// The first user, made through the workbench's one-time setup link: refused once the
    /// store has any user (two setup requests at once make one user).
    pub fn add_first_user(&mut self, user: &User, password_hash: &str) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = sql(&path, "添加用户");
        let tx = self.write().map_err(&e)?;
        let n: i64 = tx.query_row("SELECT count(*) FROM users", [], |r| r.get(0)).map_err(&e)?;
        if n > 0 {
            return refuse("已经有用户，首次设置链接不再可用".into());
        }
        insert_user(&tx, user, password_hash, &format!("{}（首次设置）", user.name), &e)?;
        tx.commit().map_err(&e)
    }

    /// The user named `name`, enabled or not.
    pub fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        Ok(self.users()?.into_iter().find(|u| u.name == name))
    }

    /// Every user, by name.
    pub fn users(&self) -> Result<Vec<User>, StoreError> {
        let e = sql(&self.path, "读取用户");
        let mut st = self
            .conn
            .prepare(
                "SELECT name, role, park, disabled, created_at, changed_at FROM users
                 ORDER BY name",
            )
            .map_err(&e)?;
        let rows = st
            .query_map([], |r| {
                let role: String = r.get(1)?;
                Ok(User {
                    name: r.get(0)?,
                    role: Role::parse(&role).unwrap_or(Role::ReadOnly),
                    park: r.get(2)?,
                    disabled: r.get(3)?,
                    created_at: r.get(4)?,
                    changed_at: r.get(5)?,
                })
            })
            .map_err(&e)?;
        rows.collect::<Result<_, _>>().map_err(&e)
    }

    /// The password hash of an enabled user named `name` (None: no such user, or disabled).
    pub fn password_hash(&self, name: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row(
                "SELECT password_hash FROM users WHERE name = ?1 AND disabled = 0",
                [name],
                |r| r.get(0),
            )
            .optional()
            .map_err(sql(&self.path, "读取用户"))
    }

    /// Set `name`'s password hash; `by` is who did it.
    pub fn set_password(&mut self, name: &str, hash: &str, by: &str) -> Result<(), StoreError> {
        self.change_user(name, "password_hash = ?2", hash, by, "修改密码")
    }

    /// Disable `name` (it can no longer log in; it stays in the audit log); `by` is who did it.
    pub fn disable_user(&mut self, name: &str, by: &str) -> Result<(), StoreError> {
        self.change_user(name, "disabled = ?2", "1", by, "停用用户")
    }

    fn change_user(
        &mut self,
        name: &str,
        set: &str,
        value: &str,
        by: &str,
        action: &'static str,
    ) -> Result<(), StoreError> {
        let path = self.path.clone();
        let e = sql(&path, action);
        let tx = self.write().map_err(&e)?;
        let changed = tx
            .execute(
                &format!("UPDATE users SET {set}, changed_at = ?3 WHERE name = ?1"),
                params![name, value, super::now()],
            )
            .map_err(&e)?;
        if changed == 0 {
            return refuse(format!("没有用户「{name}」（mujun user list 列出全部用户）"));
        }
        audit(&tx, by, action, None, &format!("{action}「{name}」")).map_err(&e)?;
        tx.commit().map_err(&e)
    }
}

/// Insert `user` in `tx` unless the name is taken; audited as done by `by`.
fn insert_user(
    tx: &rusqlite::Transaction,
    user: &User,
    password_hash: &str,
    by: &str,
    e: &impl Fn(rusqlite::Error) -> StoreError,
) -> Result<(), StoreError> {
    let taken: Option<i64> = tx
        .query_row("SELECT id FROM users WHERE name = ?1", [&user.name], |r| r.get(0))
        .optional()
        .map_err(e)?;
    if taken.is_some() {
        return refuse(format!("用户「{}」已存在", user.name));
    }
    let now = super::now();
    tx.execute(
        "INSERT INTO users (name, role, park, password_hash, disabled, created_at, changed_at)
             VALUES (?1, ?2, ?3, ?4, 0, ?5, ?5)",
        params![user.name, user.role.label(), user.park, password_hash, now],
    )
    .map_err(e)?;
    let park = user.park.as_deref().map(|p| format!("（{p}）")).unwrap_or_default();
    let detail = format!("添加用户「{}」：{}{park}", user.name, user.role.label());
    audit(tx, by, "添加用户", None, &detail).map_err(e)?;
    Ok(())
}

fn refuse<T>(message: String) -> Result<T, StoreError> {
    Err(StoreError::Refused(message))
}
