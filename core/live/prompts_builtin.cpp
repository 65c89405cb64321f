// The built-in prompt templates: byte-for-byte copies of resources/prompts/answer.txt and
// verify.txt (a test checks that they stay identical), so the binary works without the
// resources directory while the files remain the editable, documented version.
#include "core/live/prompts.hpp"

namespace automix::live {

const char* const kBuiltinAnswerPrompt =
    R"PROMPT(Read the context and answer the question. Give a short answer only: a few words taken from the context, a number, "yes" or "no", or the letter of the correct option when options are listed. If the context does not contain the answer, reply "unanswerable".

Context: {context}

Question: {question}
{options}
Answer:
)PROMPT";

const char* const kBuiltinVerifyPrompt =
    R"PROMPT(Context: The Harlow lighthouse was built in 1871 from granite quarried on the island. Its lamp was converted to electricity in 1934, and the last keeper left in 1968.

Question: When did the last keeper leave the Harlow lighthouse?

AI Generated Answer: 1934

Instruction: Is the AI generated answer correct?

Verification: The context says the last keeper left in 1968; 1934 is the year the lamp was electrified. So the AI generated answer is incorrect.

Context: Mira packed two sandwiches and an apple for the hike, and she gave the apple to her brother at the trailhead.

Question: What fruit did Mira bring on the hike?

AI Generated Answer: an apple

Instruction: Is the AI generated answer correct?

Verification: The context says Mira packed an apple. So the AI generated answer is correct.

Context: The council postponed the vote on the library budget until March because two of its seven members were absent.

Question: Why was the vote postponed?

AI Generated Answer: two members were missing

Instruction: Is the AI generated answer correct?

Verification: The context gives the absence of two members as the reason, which the answer restates. So the AI generated answer is correct.

Context: The study interviewed 400 households by telephone over six weeks and reports the share that owned a bicycle.

Question: How much did the study cost?

AI Generated Answer: 12,000 dollars

Instruction: Is the AI generated answer correct?

Verification: The context never mentions what the study cost, so the figure is unsupported. So the AI generated answer is incorrect.

Context: {context}

Question: {question}
{options}
AI Generated Answer: {answer}

Instruction: Is the AI generated answer correct?

Verification:
)PROMPT";

}  // namespace automix::live
