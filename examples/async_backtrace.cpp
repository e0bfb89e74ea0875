// Async backtraces: a small event loop runs nested coroutines; while several chains wait on
// timers, it prints each chain from the waiting coroutine out to the request that started it.
// Nothing in the task type or the coroutines knows about reflect.
#include <reflect/reflect.hpp>

#include <fmt/format.h>

#include <coroutine>
#include <exception>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace shop {

// The loop: a clock that ticks and the coroutines sleeping until a tick.
class Loop {
 public:
  struct Sleep {
    Loop& loop;
    int ticks;
    bool await_ready() const noexcept { return ticks <= 0; }
    void await_suspend(std::coroutine_handle<> h) { loop.sleeping_.emplace(loop.now_ + ticks, h); }
    void await_resume() const noexcept {}
  };
  Sleep sleep(int ticks) { return Sleep{*this, ticks}; }

  void run_until(int tick) {
    while (!sleeping_.empty() && sleeping_.begin()->first <= tick) {
      auto [when, handle] = *sleeping_.begin();
      sleeping_.erase(sleeping_.begin());
      now_ = when;
      handle.resume();
    }
    now_ = tick;
  }
  std::vector<std::coroutine_handle<>> waiting() const {
    std::vector<std::coroutine_handle<>> out;
    for (const auto& [when, handle] : sleeping_) out.push_back(handle);
    return out;
  }

 private:
  int now_ = 0;
  std::multimap<int, std::coroutine_handle<>> sleeping_;
};

Loop loop;

// A lazy task; the awaiting coroutine resumes when it finishes.
template <class T> class Task {
 public:
  struct promise_type {
    T value{};
    std::coroutine_handle<> awaiting;
    Task get_return_object() { return Task(std::coroutine_handle<promise_type>::from_promise(*this)); }
    std::suspend_always initial_suspend() noexcept { return {}; }
    auto final_suspend() noexcept {
      struct Resume {
        bool await_ready() noexcept { return false; }
        std::coroutine_handle<> await_suspend(std::coroutine_handle<promise_type> h) noexcept {
          auto next = h.promise().awaiting;
          return next ? next : std::noop_coroutine();
        }
        void await_resume() noexcept {}
      };
      return Resume{};
    }
    void return_value(T v) { value = std::move(v); }
    void unhandled_exception() { std::terminate(); }
  };
  explicit Task(std::coroutine_handle<promise_type> h) : handle_(h) {}
  Task(Task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  ~Task() {
    if (handle_) handle_.destroy();
  }
  bool await_ready() const noexcept { return false; }
  std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) noexcept {
    handle_.promise().awaiting = awaiting;
    return handle_;
  }
  T await_resume() { return std::move(handle_.promise().value); }
  void start() { handle_.resume(); }

 private:
  std::coroutine_handle<promise_type> handle_;
};

Task<std::string> query_db(std::string table, int key) {
  int latency = key % 3 + 2;
  co_await loop.sleep(latency);
  co_return fmt::format("{}#{}", table, key);
}

Task<std::string> fetch_user(int user_id) {
  std::string cache_key = fmt::format("user:{}", user_id);
  co_return co_await query_db("users", user_id);
}

Task<int> handle_request(int request_id, int user_id) {
  int retries = 0;
  std::string user;  // (declared in the co_await's statement, it would not be constructed yet there)
  user = co_await fetch_user(user_id);
  co_await loop.sleep(1);
  co_return static_cast<int>(user.size()) + retries + request_id;
}

}  // namespace shop

int main() {
  std::vector<shop::Task<int>> requests;
  for (int id = 1; id <= 4; ++id) requests.push_back(shop::handle_request(id, 40 + id));
  for (auto& request : requests) request.start();
  shop::loop.run_until(2);  // request 2's query has finished; the others still wait on the database

  for (std::coroutine_handle<> waiting : shop::loop.waiting())
    fmt::print("{}\n\n", reflect::async_backtrace(waiting));

  shop::loop.run_until(100);
}
