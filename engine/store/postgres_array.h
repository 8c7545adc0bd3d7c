// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace aldis::store::detail {

// The text form of a one-dimensional PostgreSQL array, such as {"a","b\"c",NULL},
// built element by element. The PostgreSQL store sends a whole batch as a few such
// arrays, one per column, to statements that unnest() them: a constant number of
// round trips however large the batch.
//
// Every element is double-quoted, so that NULL, "", spaces, commas and braces stay
// plain strings; inside the quotes " and \ are escaped with a backslash. A null
// element is the bare word NULL. Text must not contain a NUL byte (libpq passes
// parameters as C strings; PostgreSQL text cannot hold one either): the caller
// refuses such requests before they reach a batch.
//
// A value type; not shared between threads.
class ArrayLiteral {
public:
    void add(std::string_view text);
    void add(std::int64_t value);
    void addNull();
    // Empty text is NULL: no user, no key (as in the SQLite backend).
    void addOrNull(std::string_view text);

    std::size_t size() const noexcept { return m_size; }
    bool empty() const noexcept { return m_size == 0; }
    // The literal, braces included.
    std::string text() const { return m_text + '}'; }

private:
    void separate();

    std::string m_text = "{";
    std::size_t m_size = 0;
};

} // namespace aldis::store::detail
