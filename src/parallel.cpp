// run_parts (see parallel.hpp).
#include "leadfunnel/parallel.hpp"

#include <exception>
#include <system_error>
#include <thread>
#include <vector>

namespace leadfunnel {

void run_parts(std::size_t n, const std::function<void(std::size_t)>& work) {
  std::vector<std::exception_ptr> failed(n);
  auto run = [&](std::size_t k) {
    try {
      work(k);
    } catch (...) {
      failed[k] = std::current_exception();
    }
  };
  std::vector<std::thread> threads;
  threads.reserve(n);
  std::vector<std::size_t> here;  // parts no thread could be started for
  for (std::size_t k = 1; k < n; ++k) {
    try {
      threads.emplace_back(run, k);
    } catch (const std::system_error&) {
      here.push_back(k);
    }
  }
  if (n > 0) run(0);
  for (const std::size_t k : here) run(k);
  for (auto& t : threads) t.join();
  for (const auto& e : failed)
    if (e) std::rethrow_exception(e);
}

}  // namespace leadfunnel
