#pragma once
/// The cells of one record, kept together in one buffer.

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "leadfunnel/prefetch.hpp"

namespace leadfunnel {

/// A record's cells as text: cell i is text[ends[i - 1] + 1, ends[i]) (cell 0
/// starts at 0), one separator byte between cells, so that a CSV line cut at
/// its delimiters is copied as it is. One buffer and one array per record
/// instead of a string per cell, so that a batch of
/// rows takes a few hundred kilobytes and stays in a core's cache from being
/// read to being counted. A cell is read as a string_view, valid until the
/// cells change. Reused from row to row, it allocates nothing once its
/// buffers are large enough.
class Cells {
 public:
  Cells() = default;
  Cells(std::initializer_list<std::string_view> cells) {
    for (std::string_view c : cells) push_back(c);
  }
  explicit Cells(const std::vector<std::string>& cells) {
    for (const auto& c : cells) push_back(c);
  }

  std::size_t size() const noexcept { return count_; }
  /// Starts loading the cells (their text and where each ends) into the cache.
  void prefetch() const noexcept {
    prefetch_line(text_.data());
    prefetch_line(ends_.data());
  }
  bool empty() const noexcept { return count_ == 0; }
  std::string_view operator[](std::size_t i) const noexcept {
    const std::size_t b = i == 0 ? 0 : ends_[i - 1] + 1;
    return {text_.data() + b, ends_[i] - b};
  }
  /// Where cell i ends, as an offset in the record's text (one past its
  /// last byte); known as soon as the cell is cut, before its text is in.
  std::size_t end_of(std::size_t i) const noexcept { return ends_[i]; }
  std::string_view back() const noexcept { return (*this)[size() - 1]; }
  /// Cell i; throws std::out_of_range when there is no such cell.
  std::string_view at(std::size_t i) const {
    if (i >= size()) throw std::out_of_range("Cells::at: no cell " + std::to_string(i));
    return (*this)[i];
  }

  void clear() noexcept {
    text_.clear();
    count_ = 0;
  }
  void push_back(std::string_view cell) {
    if (count_ != 0) text_ += kSeparator;
    text_.append(cell);
    put(text_.size());
  }
  /// Replaces the cells with `cells` (string_views): the buffer is sized
  /// once and each cell copied once.
  template <class Views>
  void assign(const Views& cells) {
    std::size_t bytes = 0;
    for (std::string_view c : cells) bytes += c.size() + 1;
    text_.resize(bytes == 0 ? 0 : bytes - 1);
    count_ = std::size(cells);
    if (ends_.size() < count_) ends_.resize(count_);
    char* const d = text_.data();
    std::size_t at = 0, i = 0;
    for (std::string_view c : cells) {
      if (i > 0) d[at++] = kSeparator;
      if (!c.empty()) std::memcpy(d + at, c.data(), c.size());
      at += c.size();
      ends_[i++] = at;
    }
  }
  void pop_back() noexcept {
    --count_;
    text_.resize(count_ == 0 ? 0 : ends_[count_ - 1]);
  }
  /// Keeps the first `n` cells (n <= size()).
  void truncate(std::size_t n) noexcept {
    if (n >= size()) return;
    count_ = n;
    text_.resize(n == 0 ? 0 : ends_[n - 1]);
  }

  /// Building a cell piece by piece: begin_cell() gives the text to append
  /// it to (after the cells so far), then end_cell() closes it.
  std::string& begin_cell() {
    if (count_ != 0) text_ += kSeparator;
    return text_;
  }
  /// Bytes of the cell being built (after begin_cell).
  std::size_t open_size() const noexcept { return text_.size() - (count_ == 0 ? 0 : ends_[count_ - 1] + 1); }
  void end_cell() { put(text_.size()); }

  /// A line cut at one-byte delimiters, copied whole: set_line(line), then
  /// cut_at(p) for each delimiter's offset p in the line, in order, and
  /// cut_at(line.size()) for the end of the last cell.
  void set_line(std::string_view line) {
    text_.clear();
    text_.append(line);
    count_ = 0;
  }
  void cut_at(std::size_t offset) { put(offset); }
  /// Room for `n` more cuts at once, for a reader that finds many together:
  /// write up to `n` offsets (in order, as cut_at takes them) from the
  /// pointer returned, then call cuts_made with how many were written.
  std::size_t* cut_room(std::size_t n) {
    if (ends_.size() < count_ + n) ends_.resize(std::max(count_ + n, 2 * ends_.size()));
    return ends_.data() + count_;
  }
  void cuts_made(std::size_t n) noexcept { count_ += n; }
  /// The same for the text, for a reader that writes many cells' bytes at
  /// once: after begin_cell(), text_room(n) gives room for `n` more bytes at
  /// offset text_size() (valid until the next call), and text_made(size)
  /// keeps the text's first `size` bytes.
  std::size_t text_size() const noexcept { return text_.size(); }
  char* text_room(std::size_t n) {
    text_.resize(text_.size() + n);
    return text_.data() + text_.size() - n;
  }
  void text_made(std::size_t size) { text_.resize(size); }
  /// Back to the first `count` cells and `text_bytes` of text, as they were
  /// before a reader began cells it then gave up.
  void rewind(std::size_t count, std::size_t text_bytes) {
    count_ = count;
    text_.resize(text_bytes);
  }
  /// The same in the order of a reader that finds the line's end as it cuts
  /// it: start_line(), cut_at(p) for each cut, then end_line(line).
  void start_line() noexcept { count_ = 0; }
  void end_line(std::string_view line) {
    text_.clear();
    text_.append(line);
  }

  void swap(Cells& other) noexcept {
    text_.swap(other.text_);
    ends_.swap(other.ends_);
    std::swap(count_, other.count_);
  }
  std::vector<std::string> strings() const {
    std::vector<std::string> out;
    out.reserve(size());
    for (std::size_t i = 0; i < size(); ++i) out.emplace_back((*this)[i]);
    return out;
  }

  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = std::string_view;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = std::string_view;
    const_iterator() = default;
    const_iterator(const Cells* c, std::size_t i) : c_(c), i_(i) {}
    std::string_view operator*() const { return (*c_)[i_]; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    const_iterator operator++(int) {
      auto old = *this;
      ++i_;
      return old;
    }
    difference_type operator-(const const_iterator& o) const {
      return static_cast<difference_type>(i_) - static_cast<difference_type>(o.i_);
    }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }
    bool operator!=(const const_iterator& o) const { return i_ != o.i_; }

   private:
    const Cells* c_ = nullptr;
    std::size_t i_ = 0;
  };
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

  friend bool operator==(const Cells& a, const Cells& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  friend bool operator==(const Cells& a, const std::vector<std::string>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < b.size(); ++i)
      if (a[i] != b[i]) return false;
    return true;
  }

 private:
  static constexpr char kSeparator = '\0';
  /// Adds the end of the next cell.
  void put(std::size_t end) {
    if (count_ == ends_.size()) ends_.push_back(end);
    else ends_[count_] = end;
    ++count_;
  }
  std::string text_;
  /// Where each cell ends: the first count_ entries. The vector only grows,
  /// so that a row of the usual width stores its cuts with no size check
  /// and no zeroing (cut_room).
  std::vector<std::size_t> ends_;
  std::size_t count_ = 0;
};

}  // namespace leadfunnel
