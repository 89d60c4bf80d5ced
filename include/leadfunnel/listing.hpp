#pragma once
/// Lists of leads in a report (data-quality issues, SLA findings): the first
/// few by line, kept in bounded memory whatever order the leads arrive in.

#include <algorithm>
#include <cstddef>
#include <vector>

namespace leadfunnel {

/// The first `limit` items by line, then by `Tie` (a key of the item, for
/// records that share a line, as in a JSON array written on one line), then
/// by order of arrival, however they arrive: items are cut back to `limit`
/// whenever twice that many are held. 0 keeps all. Lists of several threads
/// merge into the same list. Arrival order only orders items of equal line
/// and key (one lead's, which one thread adds in order), so the list does
/// not depend on how the leads were shared out among threads.
template <typename T, typename Tie>
class FirstByLine {
 public:
  explicit FirstByLine(std::size_t limit = 0) : limit_(limit) {}

  /// Whether an item on `line` could still be listed (else it is only counted).
  bool wants(std::size_t line) const { return limit_ == 0 || items_.size() < limit_ || line <= threshold_; }

  /// Adds an item on `line`; call count() instead when wants() is false.
  void add(std::size_t line, T item) {
    ++total_;
    items_.push_back({line, seq_++, std::move(item)});
    if (limit_ != 0 && items_.size() >= 2 * limit_ + 64) cut();
  }
  /// Counts an item that will not be listed.
  void count() { ++total_; }

  void merge(FirstByLine&& later) {
    total_ += later.total_;
    std::sort(later.items_.begin(), later.items_.end(), before);  // keeps the order within a line
    for (auto& e : later.items_) {
      items_.push_back({e.line, seq_++, std::move(e.item)});
      if (limit_ != 0 && items_.size() >= 2 * limit_ + 64) cut();
    }
  }

  std::size_t total() const { return total_; }

  /// The listed items in line order; total() - size of the result were not listed.
  std::vector<T> take() {
    cut();
    std::sort(items_.begin(), items_.end(), before);
    std::vector<T> out;
    out.reserve(items_.size());
    for (auto& e : items_) out.push_back(std::move(e.item));
    items_.clear();
    return out;
  }

 private:
  struct Entry {
    std::size_t line;
    std::size_t seq;
    T item;
  };
  static bool before(const Entry& a, const Entry& b) {
    if (a.line != b.line) return a.line < b.line;
    const auto ka = Tie{}(a.item), kb = Tie{}(b.item);
    if (ka != kb) return ka < kb;
    return a.seq < b.seq;
  }
  void cut() {
    if (limit_ == 0 || items_.size() <= limit_) return;
    std::nth_element(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(limit_), items_.end(), before);
    items_.resize(limit_);
    threshold_ = 0;
    for (const auto& e : items_) threshold_ = std::max(threshold_, e.line);
  }

  std::size_t limit_;
  std::vector<Entry> items_;
  std::size_t seq_ = 0;
  std::size_t total_ = 0;
  std::size_t threshold_ = static_cast<std::size_t>(-1);
};

}  // namespace leadfunnel
