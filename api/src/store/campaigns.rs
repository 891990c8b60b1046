//! Campaigns: a population to verify between a start date and a deadline, set by a unit (the
//! Department) for its subtree. A caller sees the campaigns of its own unit, of the units above
//! it (they apply to it) and of the units below it.

use chrono::NaiveDate;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};

use super::audit::{self, AuditCtx, Event};
use super::entities::{campaigns, units};
use super::{StoreError, StoreResult};
use crate::domain::access::Caller;
use crate::stats::Population;
use crate::stats::views::Campaign;

/// A campaign to create.
#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub name: String,
    pub population: Population,
    pub start: NaiveDate,
    pub deadline: NaiveDate,
}

/// A campaign with the unit that set it.
#[derive(Debug, Clone)]
pub struct CampaignRow {
    pub campaign: campaigns::Model,
    pub unit: units::Model,
}

impl CampaignRow {
    /// True when `today` lies between the start and the deadline, both included.
    pub fn is_active(&self, today: NaiveDate) -> bool {
        self.campaign.start_date <= today && today <= self.campaign.deadline
    }

    pub fn population(&self) -> Population {
        Population::parse(&self.campaign.population).unwrap_or_default()
    }

    pub fn view(&self, today: NaiveDate) -> Campaign {
        let c = &self.campaign;
        Campaign {
            id: c.id,
            unit_id: c.unit_id,
            unit_name: self.unit.name.clone(),
            name: c.name.clone(),
            population: self.population(),
            start: c.start_date,
            deadline: c.deadline,
            active: self.is_active(today),
            created_at: c.created_at,
        }
    }
}

/// True when a campaign set by the unit at `campaign_path` is visible to the caller: set above
/// the caller (it applies to it), by the caller's unit, or below it.
fn visible(caller: &Caller, campaign_path: &str) -> bool {
    caller.unit_path.starts_with(campaign_path) || caller.reads_path(campaign_path)
}

/// Creates a campaign for the caller's unit (the handler checks the role).
pub async fn create<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    ctx: &AuditCtx,
    new: NewCampaign,
) -> StoreResult<CampaignRow> {
    let name = new.name.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut errors = Vec::new();
    if name.is_empty() || name.chars().count() > 200 {
        errors.push(crate::error::FieldError {
            pointer: "/name".to_owned(),
            code: "length".to_owned(),
            message: "Tên đợt cần từ 1 đến 200 ký tự.".to_owned(),
        });
    }
    if new.deadline < new.start {
        errors.push(crate::error::FieldError {
            pointer: "/deadline".to_owned(),
            code: "before_start".to_owned(),
            message: "Hạn hoàn thành phải từ ngày bắt đầu trở đi.".to_owned(),
        });
    }
    if !errors.is_empty() {
        return Err(StoreError::Invalid(errors));
    }
    let unit = super::units::get_scoped(conn, caller, caller.unit_id).await?;
    let campaign = campaigns::ActiveModel {
        unit_id: Set(unit.id),
        name: Set(name.clone()),
        population: Set(new.population.as_str().to_owned()),
        start_date: Set(new.start),
        deadline: Set(new.deadline),
        created_by: Set(Some(caller.user_id)),
        created_at: Set(ctx.at),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    audit::record(
        conn,
        ctx,
        vec![Event {
            action: "create",
            entity: "campaign",
            entity_id: Some(campaign.id),
            field: None,
            old_value: None,
            new_value: Some(name),
        }],
    )
    .await?;
    Ok(CampaignRow { campaign, unit })
}

/// Every campaign with its unit, in one statement.
async fn all_with_units<C: ConnectionTrait>(conn: &C) -> StoreResult<Vec<CampaignRow>> {
    let rows = campaigns::Entity::find().find_also_related(units::Entity).all(conn).await?;
    Ok(rows.into_iter().filter_map(|(campaign, unit)| unit.map(|unit| CampaignRow { campaign, unit })).collect())
}

/// Campaigns visible to the caller, latest start first.
pub async fn list_visible<C: ConnectionTrait>(conn: &C, caller: &Caller) -> StoreResult<Vec<CampaignRow>> {
    let mut rows: Vec<CampaignRow> =
        all_with_units(conn).await?.into_iter().filter(|r| visible(caller, &r.unit.path)).collect();
    rows.sort_by(|a, b| b.campaign.start_date.cmp(&a.campaign.start_date).then(b.campaign.id.cmp(&a.campaign.id)));
    Ok(rows)
}

/// One campaign visible to the caller.
pub async fn get_visible<C: ConnectionTrait>(conn: &C, caller: &Caller, id: i64) -> StoreResult<CampaignRow> {
    // the campaign and its unit in one statement
    match campaigns::Entity::find_by_id(id).find_also_related(units::Entity).one(conn).await? {
        Some((campaign, Some(unit))) if visible(caller, &unit.path) => Ok(CampaignRow { campaign, unit }),
        _ => Err(StoreError::NotFound),
    }
}

/// The campaign statistics of a unit follow: the one asked for, else the latest active campaign
/// for the population set by the unit or a unit above it.
pub async fn resolve<C: ConnectionTrait>(
    conn: &C,
    caller: &Caller,
    requested: Option<i64>,
    unit: &units::Model,
    population: Population,
    today: NaiveDate,
) -> StoreResult<Option<CampaignRow>> {
    if let Some(id) = requested {
        return Ok(Some(get_visible(conn, caller, id).await?));
    }
    let mut candidates: Vec<CampaignRow> = all_with_units(conn)
        .await?
        .into_iter()
        .filter(|r| unit.path.starts_with(&r.unit.path) && r.population() == population && r.is_active(today))
        .collect();
    candidates
        .sort_by(|a, b| b.campaign.start_date.cmp(&a.campaign.start_date).then(b.campaign.id.cmp(&a.campaign.id)));
    Ok(candidates.into_iter().next())
}
