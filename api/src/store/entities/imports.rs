use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "imports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub actor_id: i64,
    pub actor: String,
    pub unit_id: i64,
    pub class_id: Option<i64>,
    pub kind: String,
    pub filename: String,
    pub format: String,
    pub encoding: Option<String>,
    pub status: String,
    pub commit_requested: bool,
    pub rows_read: i32,
    pub rows_total: i32,
    #[sea_orm(column_type = "Text")]
    pub totals: String,
    #[sea_orm(column_type = "Text")]
    pub sheets: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub error: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub committed_at: Option<DateTimeUtc>,
    pub undone_at: Option<DateTimeUtc>,
    pub reverted: i32,
    pub kept: i32,
    #[sea_orm(column_type = "Text", nullable)]
    pub new_classes: Option<String>,
    /// When the planned rows were deleted at the end of their retention time.
    pub rows_purged_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
