use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "transfers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub person_id: i64,
    pub kind: String,
    pub full_name: Option<String>,
    pub from_unit_id: i64,
    pub from_class_id: Option<i64>,
    pub to_unit_id: Option<i64>,
    pub to_class_id: Option<i64>,
    pub reason: String,
    pub actor: String,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
