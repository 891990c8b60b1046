//! Account actions, each audited (who, whom, what) in the transaction that makes it: signing
//! out, changing one's own password.

use sea_orm::{DatabaseConnection, TransactionTrait};

use super::StoreResult;
use super::audit::{self, AuditCtx, Event};
use super::users;
use crate::auth::SessionToken;

fn event(
    action: &'static str,
    user_id: i64,
    field: Option<&'static str>,
    old: Option<String>,
    new: Option<String>,
) -> Event<'static> {
    Event { action, entity: "user", entity_id: Some(user_id), field, old_value: old, new_value: new }
}

/// Ends the caller's token.
pub async fn sign_out(db: &DatabaseConnection, ctx: &AuditCtx, session: &SessionToken) -> StoreResult<()> {
    let user_id = ctx.actor_id.unwrap_or_default();
    let txn = db.begin().await?;
    users::revoke_token(&txn, user_id, &session.id, session.expires_at, ctx.at).await?;
    audit::record(&txn, ctx, vec![event("sign_out", user_id, None, None, None)]).await?;
    txn.commit().await?;
    Ok(())
}

/// Stores the caller's new password (already hashed and checked against the policy) and lifts
/// the one-time password's restriction.
pub async fn change_own_password(
    db: &DatabaseConnection,
    ctx: &AuditCtx,
    user_id: i64,
    password_hash: String,
) -> StoreResult<()> {
    let txn = db.begin().await?;
    users::set_password(&txn, user_id, password_hash, false).await?;
    audit::record(&txn, ctx, vec![event("change_password", user_id, Some("password"), None, None)]).await?;
    txn.commit().await?;
    Ok(())
}
