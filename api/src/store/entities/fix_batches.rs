use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fix_batches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub actor_id: i64,
    pub actor: String,
    pub unit_id: i64,
    pub class_id: Option<i64>,
    pub kind: String,
    pub finding_code: Option<String>,
    pub records: i32,
    pub changes: i32,
    pub created_at: DateTimeUtc,
    pub undone_at: Option<DateTimeUtc>,
    pub reverted: i32,
    pub kept: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
