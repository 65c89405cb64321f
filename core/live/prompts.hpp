#pragma once
// Prompt templates of the live pipeline (method §8). Placeholders: {context}, {question},
// {options} (an "Options:" block for multiple choice, else empty) and, in the verification
// template, {answer}. The self-verification parser only relies on the method §3 phrases.
#include <string>
#include <string_view>
#include <vector>

namespace automix::live {

extern const char* const kBuiltinAnswerPrompt;
extern const char* const kBuiltinVerifyPrompt;

struct PromptTemplates {
    std::string answer;
    std::string verify;
};

// Reads the files named (empty name = built-in). Throws std::runtime_error when a file cannot
// be read or lacks a required placeholder.
PromptTemplates load_prompt_templates(const std::string& answer_file, const std::string& verify_file);
// Throws std::runtime_error when a required placeholder is missing or an unknown one is used.
void check_template(const std::string& text, const std::vector<std::string>& required, const std::string& origin);

struct PromptFields {
    std::string context;
    std::string question;
    std::vector<std::string> options;
    std::string answer;
};

// Single pass, so placeholder-like text inside a context is left alone.
std::string render_prompt(const std::string& tmpl, const PromptFields& f);
// Text without the spaces, tabs and line breaks around it, as an answer goes into a verification
// prompt (the replay server trims the same way to find the row a prompt was made from).
std::string trim_prompt_text(std::string_view text);
// "Options:\n(A) first\n(B) second\n", or "" without options.
std::string options_block(const std::vector<std::string>& options);

}  // namespace automix::live
