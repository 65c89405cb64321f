#include "core/live/prompts.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace automix::live {

namespace {

const std::set<std::string> kKnown = {"context", "question", "options", "answer"};

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error(path + ": cannot read the prompt template");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace

void check_template(const std::string& text, const std::vector<std::string>& required, const std::string& origin) {
    std::set<std::string> used;
    for (std::size_t p = text.find('{'); p != std::string::npos; p = text.find('{', p + 1)) {
        const auto close = text.find('}', p);
        if (close == std::string::npos) break;
        const std::string name = text.substr(p + 1, close - p - 1);
        if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string::npos) continue;
        if (!kKnown.count(name))
            throw std::runtime_error(origin + ": unknown placeholder {" + name +
                                     "} (known: {context} {question} {options} {answer})");
        used.insert(name);
    }
    for (const auto& r : required)
        if (!used.count(r)) throw std::runtime_error(origin + ": the template must contain {" + r + "}");
}

PromptTemplates load_prompt_templates(const std::string& answer_file, const std::string& verify_file) {
    PromptTemplates t;
    t.answer = answer_file.empty() ? kBuiltinAnswerPrompt : read_file(answer_file);
    t.verify = verify_file.empty() ? kBuiltinVerifyPrompt : read_file(verify_file);
    check_template(t.answer, {"question"}, answer_file.empty() ? "built-in answer prompt" : answer_file);
    check_template(t.verify, {"question", "answer"},
                   verify_file.empty() ? "built-in verification prompt" : verify_file);
    return t;
}

std::string options_block(const std::vector<std::string>& options) {
    if (options.empty()) return {};
    std::string s = "Options:\n";
    for (std::size_t i = 0; i < options.size(); ++i) {
        const char letter = static_cast<char>('A' + (i % 26));
        s += std::string("(") + letter + ") " + options[i] + "\n";
    }
    return s;
}

std::string render_prompt(const std::string& tmpl, const PromptFields& f) {
    std::string out;
    out.reserve(tmpl.size() + f.context.size() + f.question.size() + f.answer.size() + 64);
    std::size_t i = 0;
    while (i < tmpl.size()) {
        if (tmpl[i] == '{') {
            const auto close = tmpl.find('}', i);
            if (close != std::string::npos) {
                const std::string name = tmpl.substr(i + 1, close - i - 1);
                const std::string* value = nullptr;
                std::string opts;
                if (name == "context")
                    value = &f.context;
                else if (name == "question")
                    value = &f.question;
                else if (name == "answer")
                    value = &f.answer;
                else if (name == "options") {
                    opts = options_block(f.options);
                    value = &opts;
                }
                if (value) {
                    out += *value;
                    i = close + 1;
                    continue;
                }
            }
        }
        out += tmpl[i++];
    }
    return out;
}

std::string trim_prompt_text(std::string_view text) {
    const auto b = text.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) return {};
    const auto e = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(b, e - b + 1));
}

}  // namespace automix::live
