use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "verification_history")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub job_id: Option<i64>,
    pub item_id: Option<i64>,
    pub at: DateTimeUtc,
    pub outcome: String,
    pub fields: Option<String>,
    pub sent_values: Option<String>,
    pub registry_values: Option<String>,
    pub applied: bool,
    pub note: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
