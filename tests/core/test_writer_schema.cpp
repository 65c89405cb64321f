// The native writer's output conforms to resources/schema/native-v1.schema.json, and the
// schema rejects what the reader rejects. A small validator for the keywords the schema uses.
#include <QtTest>

#include <fstream>
#include <sstream>

#include "core/data/reader.hpp"
#include "core/data/writer.hpp"
#include "test_reader_util.hpp"

using namespace automix::data;
using namespace test_data;
using nlohmann::json;

namespace {

class MiniValidator {
  public:
    explicit MiniValidator(json schema) : root_(std::move(schema)) {}
    // "" when valid, else the first reason.
    std::string check(const json& value) const { return check(root_, value, "$"); }

  private:
    const json& resolve(const json& s) const {
        if (!s.contains("$ref")) return s;
        std::string ref = s["$ref"];  // "#/$defs/name"
        return root_["$defs"][ref.substr(ref.rfind('/') + 1)];
    }
    static bool has_type(const json& v, const std::string& t) {
        if (t == "string") return v.is_string();
        if (t == "number") return v.is_number();
        if (t == "object") return v.is_object();
        if (t == "array") return v.is_array();
        if (t == "null") return v.is_null();
        if (t == "boolean") return v.is_boolean();
        return false;
    }
    std::string check(const json& schema_in, const json& v, const std::string& at) const {
        const json& s = resolve(schema_in);
        if (s.contains("type")) {
            bool ok = false;
            if (s["type"].is_string())
                ok = has_type(v, s["type"]);
            else
                for (const auto& t : s["type"]) ok = ok || has_type(v, t);
            if (!ok) return at + ": wrong type";
        }
        if (s.contains("const") && v != s["const"]) return at + ": not the constant";
        if (s.contains("enum") && std::find(s["enum"].begin(), s["enum"].end(), v) == s["enum"].end())
            return at + ": not in enum";
        if (s.contains("minimum") && v.is_number() && v.get<double>() < s["minimum"].get<double>())
            return at + ": below minimum";
        if (s.contains("minLength") && v.is_string() && v.get<std::string>().size() < s["minLength"].get<std::size_t>())
            return at + ": too short";
        if (s.contains("minItems") && v.is_array() && v.size() < s["minItems"].get<std::size_t>())
            return at + ": too few items";
        if (v.is_object()) {
            if (s.contains("required"))
                for (const auto& k : s["required"])
                    if (!v.contains(k.get<std::string>())) return at + ": missing " + k.get<std::string>();
            if (s.contains("properties"))
                for (auto it = s["properties"].begin(); it != s["properties"].end(); ++it)
                    if (v.contains(it.key())) {
                        std::string r = check(*it, v[it.key()], at + "." + it.key());
                        if (!r.empty()) return r;
                    }
        }
        if (v.is_array() && s.contains("items"))
            for (std::size_t i = 0; i < v.size(); ++i) {
                std::string r = check(s["items"], v[i], at + "[" + std::to_string(i) + "]");
                if (!r.empty()) return r;
            }
        if (s.contains("not") && check(s["not"], v, at).empty()) return at + ": matches a forbidden shape";
        if (s.contains("oneOf")) {
            int matches = 0;
            std::string last;
            for (const auto& option : s["oneOf"]) {
                std::string r = check(option, v, at);
                if (r.empty())
                    ++matches;
                else
                    last = r;
            }
            if (matches != 1) return matches == 0 ? last : at + ": matches more than one shape";
        }
        return {};
    }
    json root_;
};

MiniValidator load_schema() {
    std::ifstream f(std::string(AUTOMIX_SOURCE_DIR "/resources/schema/native-v1.schema.json"));
    return MiniValidator(json::parse(f));
}

}  // namespace

class TestWriterSchema : public QObject {
    Q_OBJECT

  private slots:
    void writerOutputConforms() {
        MiniValidator schema = load_schema();
        Dataset d = load_file(data_path("oracle/sample_seed1.jsonl.gz")).dataset;
        View some;
        for (RowIndex r = 0; r < d.size(); r += 97) some.push_back(r);
        std::ostringstream out;
        write_native_jsonl(d, some, out);
        std::istringstream lines(out.str());
        std::string line;
        std::size_t n = 0;
        while (std::getline(lines, line)) {
            QCOMPARE(schema.check(json::parse(line)), std::string());
            ++n;
        }
        QCOMPARE(n, some.size() + 1);  // manifest + rows
    }

    void schemaRejectsWhatTheReaderRejects() {
        MiniValidator schema = load_schema();
        const json ok = json::parse(
            R"({"id":"1","dataset":"d","split":"train","models":[{"name":"s","score":1,"verifier_confidence":1},{"name":"l","score":0}]})");
        QCOMPARE(schema.check(ok), std::string());
        json no_models = ok;
        no_models.erase("models");
        QVERIFY(!schema.check(no_models).empty());
        json string_score = ok;
        string_score["models"][1]["score"] = "0";
        QVERIFY(!schema.check(string_score).empty());
        json no_name = ok;
        no_name["models"][0].erase("name");
        QVERIFY(!schema.check(no_name).empty());
        json bad_category = ok;
        bad_category["category"] = "meh";
        QVERIFY(!schema.check(bad_category).empty());
        QVERIFY(
            !schema.check(json::parse(R"({"automix_manifest":{"format":"automix-native-v2","models":[{"name":"a"}]}})"))
                 .empty());
        QCOMPARE(
            schema.check(json::parse(
                R"({"automix_manifest":{"format":"automix-native-v1","models":[{"name":"a","cost":3}],"verifier_cost":1}})")),
            std::string());
        // The reader refuses a manifest without `format` (issue 17), and so does the schema.
        QVERIFY(
            !schema.check(json::parse(R"({"automix_manifest":{"models":[{"name":"a","cost":3}],"verifier_cost":1}})"))
                 .empty());
    }
};

QTEST_GUILESS_MAIN(TestWriterSchema)
#include "test_writer_schema.moc"
