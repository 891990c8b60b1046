use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "template_snapshots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub export_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_id: i64,
    pub version: i32,
    #[sea_orm(column_type = "Text")]
    pub data: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
