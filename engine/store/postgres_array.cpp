// SPDX-License-Identifier: Apache-2.0
#include "store/postgres_array.h"

namespace aldis::store::detail {

void ArrayLiteral::separate()
{
    if (m_size++ > 0)
        m_text += ',';
}

void ArrayLiteral::add(std::string_view text)
{
    separate();
    m_text.reserve(m_text.size() + text.size() + 2);
    m_text += '"';
    for (const char c : text) {
        if (c == '"' || c == '\\')
            m_text += '\\';
        m_text += c;
    }
    m_text += '"';
}

void ArrayLiteral::add(std::int64_t value)
{
    add(std::string_view(std::to_string(value)));
}

void ArrayLiteral::addNull()
{
    separate();
    m_text += "NULL";
}

void ArrayLiteral::addOrNull(std::string_view text)
{
    if (text.empty())
        addNull();
    else
        add(text);
}

} // namespace aldis::store::detail
