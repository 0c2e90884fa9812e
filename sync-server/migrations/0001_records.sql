-- One ordered key space, as every engine keeps it (see src/store/kv.rs): a key is a prefix
-- naming the kind of record followed by its ids, the value is the record's bytes. bytea
-- compares byte by byte, so `order by k` is the order sled and the in-memory map keep.
create table records (
    k bytea primary key,
    v bytea not null
);

-- `Engine::generate_id`: ids for audit entries, history entries, pull states and outbox
-- notices, increasing across every server process that shares this database.
create sequence record_ids as bigint minvalue 0 start with 0;
