// Collection helpers; see collection.h.
#include "model/collection.h"

#include "engine/keyspace.h"

namespace cairn::model {

std::string Collection::member_key(char tag, std::string_view sub) const {
  std::string k;
  k.reserve(prefix.size() + 1 + sub.size());
  k.append(prefix);
  k.push_back(tag);
  k.append(sub);
  return k;
}

std::string Collection::tag_begin(char tag) const {
  std::string k = prefix;
  k.push_back(tag);
  return k;
}

std::string Collection::tag_end(char tag) const { return engine::prefix_successor(tag_begin(tag)); }

OpStatus open_collection(View& v, uint8_t ns, std::string_view key, ValueType type, int64_t now_ms,
                         Collection* c) {
  find(v, ns, key, now_ms, &c->found);
  c->exists = false;
  if (!c->found.live) return OpStatus::kNotFound;
  if (c->found.header.type != type) return OpStatus::kWrongType;
  if (!engine::decode_collection(type, c->found.payload, &c->meta)) {
    throw engine::StoreError(rocksdb::Status::Corruption("bad collection record"));
  }
  c->prefix = engine::member_prefix(ns, key, c->meta.version);
  c->exists = true;
  return OpStatus::kOk;
}

OpStatus open_collection_for_write(Txn& t, uint8_t ns, std::string_view key, ValueType type, Collection* c) {
  OpStatus s = open_collection(t, ns, key, type, t.now_ms(), c);
  if (s != OpStatus::kNotFound) return s;
  c->meta = CollectionMeta{};
  c->meta.version = t.new_collection_version();
  c->prefix = engine::member_prefix(ns, key, c->meta.version);
  return OpStatus::kOk;
}

void save_collection(Txn& t, uint8_t ns, std::string_view key, ValueType type, const Collection& c) {
  if (c.meta.count <= 0) {
    if (c.found.present) engine::delete_record(t, ns, key, c.found);
    return;
  }
  std::string payload;
  engine::encode_collection(type, c.meta, &payload);
  int64_t ttl = c.found.live ? c.found.header.expire_at_ms : 0;
  engine::write_record(t, ns, key, c.found, type, ttl, payload);
}

std::string_view member_name(std::string_view record_key, size_t prefix_len) {
  return record_key.size() >= prefix_len + 4 ? record_key.substr(prefix_len + 4) : std::string_view();
}

uint32_t member_hash_at(std::string_view record_key, size_t prefix_len) {
  if (record_key.size() < prefix_len + 4) return 0;
  uint32_t h = 0;
  for (size_t i = 0; i < 4; ++i) h = (h << 8) | static_cast<uint8_t>(record_key[prefix_len + i]);
  return h;
}

}  // namespace cairn::model
