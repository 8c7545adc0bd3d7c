// SPDX-License-Identifier: Apache-2.0
#include "cluster/event_codec.h"

#include <bit>
#include <cstring>

namespace aldis::cluster {

namespace {

constexpr char kMagic = 'A';
constexpr char kVersion = 1;

template <typename T>
void put(std::string& out, T value)
{
    // Little-endian on the wire; every platform Aldis builds for is little-endian,
    // which the static_assert below keeps honest.
    static_assert(std::endian::native == std::endian::little);
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out.append(bytes, sizeof(T));
}

void putString(std::string& out, std::string_view s)
{
    put(out, static_cast<std::uint32_t>(s.size()));
    out.append(s);
}

class Reader {
public:
    explicit Reader(std::string_view bytes) : m_rest(bytes) {}

    template <typename T>
    bool get(T& value)
    {
        if (m_rest.size() < sizeof(T))
            return false;
        std::memcpy(&value, m_rest.data(), sizeof(T));
        m_rest.remove_prefix(sizeof(T));
        return true;
    }
    bool getString(std::string& s)
    {
        std::uint32_t size = 0;
        if (!get(size) || m_rest.size() < size)
            return false;
        s.assign(m_rest.data(), size);
        m_rest.remove_prefix(size);
        return true;
    }
    bool atEnd() const { return m_rest.empty(); }

private:
    std::string_view m_rest;
};

Error malformed(std::string_view why)
{
    return makeError(ErrorCode::bad_request, "malformed bridge event: " + std::string(why));
}

} // namespace

std::string encode(const EventRecord& r)
{
    std::string out;
    out.reserve(2 + 3 * 8 + 7 * 4 + r.channel.size() + r.epoch.size() + r.data.size() + r.user.size()
                + r.key.size() + r.originNode.size() + r.originRegion.size());
    out.push_back(kMagic);
    out.push_back(kVersion);
    put(out, r.offset);
    put(out, r.ts);
    put(out, r.bornMicros);
    for (std::string_view s : {std::string_view(r.channel), std::string_view(r.epoch), std::string_view(r.data),
                               std::string_view(r.user), std::string_view(r.key), std::string_view(r.originNode),
                               std::string_view(r.originRegion)})
        putString(out, s);
    return out;
}

Result<EventRecord> decode(std::string_view bytes)
{
    if (bytes.size() < 2 || bytes[0] != kMagic)
        return malformed("it does not start with the 'A' marker");
    if (bytes[1] != kVersion)
        return malformed("version " + std::to_string(static_cast<unsigned char>(bytes[1]))
                         + " is not known to this node (it reads version 1)");
    Reader in(bytes.substr(2));
    EventRecord r;
    if (!in.get(r.offset) || !in.get(r.ts) || !in.get(r.bornMicros))
        return malformed("it ends inside the fixed fields");
    for (std::string* s : {&r.channel, &r.epoch, &r.data, &r.user, &r.key, &r.originNode, &r.originRegion}) {
        if (!in.getString(*s))
            return malformed("it ends inside a string field");
    }
    if (!in.atEnd())
        return malformed("it has bytes after the last field");
    if (r.channel.empty() || r.offset == 0)
        return malformed("it has no channel or offset");
    return r;
}

} // namespace aldis::cluster
