// The fictional country and the calibration of the synthetic data, read from
// data/synth/ (embedded in the binary like the instrument).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "samkart/core/result.h"
#include "samkart/io/text_file.h"

namespace samkart::synth {

struct Municipality {
  int number = 0;
  std::string name;
  std::string region;  // region key
  int size_group = 0;
  int population = 0;
  int baseline_year = 0;
  int baseline_respondents = 0;
  std::optional<int> follow_up_year;
  // How much of each family's follow-up change this municipality makes:
  // 1 the national shift, 2 twice it, 0 none, below 0 a decline
  // (municipalities.csv, `follow_up_effect`; empty is 1).
  double follow_up_effect = 1;
};

// One condition of a target's breakdown: key (service, position or
// size_group) and value (a service or position key, a size group number).
struct BreakdownPart {
  std::string key;
  std::string value;
  bool operator==(const BreakdownPart&) const = default;
};

// A published (or assumed) share the generated data must reproduce.
struct Target {
  std::string indicator;  // family.item, or family.item=codes for a category share
  // "", "service=barnehage", "size_group=4", or conditions joined by «&»:
  // "service=barnehage&position=assistent".
  std::string breakdown;
  double value_pct = 0;
  double tolerance_pp = 2;
  std::string source;
  std::string confidence;            // exact | published | inferred | assumed
  std::vector<BreakdownPart> parts;  // the breakdown parsed; empty for everyone
};

// Splits a breakdown at «&» into key=value conditions. Keys are service,
// position and size_group, each at most once; anything else is an error.
Result<std::vector<BreakdownPart>> ParseBreakdown(const std::string& breakdown);

struct FamilyModel {
  double loading = 0.5;        // weight of the person's general competence
  double response_rate = 0.9;  // share who answer the family at all
  double follow_up_shift = 0;  // change at follow-up, in latent units
  int size_sign = 0;           // +1: larger municipalities score higher; -1: lower
};

struct CategoryWeight {
  int code = 0;
  double weight = 0;
};

struct Parameters {
  std::vector<Municipality> municipalities;
  std::vector<Target> targets;
  std::vector<std::pair<std::string, double>> service_mix;  // service key, share
  std::map<std::string, std::vector<std::pair<std::string, double>>>
      positions;  // service → (position, weight)
  std::map<std::string, double> position_effects;
  // family.item → position → extra effect on that item only (same units as
  // position_effects, added to them)
  std::map<std::string, std::map<std::string, double>> position_item_effects;
  std::map<int, double> size_effects;
  std::map<std::string, double> size_scales;  // family.item → multiplier of the size effect
  std::map<std::string, std::map<std::string, double>>
      service_offsets;  // family.item, family or "*" → service → offset
  std::map<std::string, FamilyModel> families;
  // Categories in latent order (lowest first), keyed by family.item, family or scale.
  std::map<std::string, std::vector<CategoryWeight>> category_weights;
  std::vector<io::TextFile> files;  // the raw files; the exporter copies them to DIR/parametere/

  // The offset for family.item, else for the family, else for "*".
  double ServiceOffset(const std::string& family, const std::string& item,
                       const std::string& service) const;
  const std::vector<CategoryWeight>* Weights(const std::string& family, const std::string& item,
                                             const std::string& scale) const;
};

const std::vector<io::TextFile>& EmbeddedSynthFiles();

Result<Parameters> LoadParameters(const std::vector<io::TextFile>& files);

}  // namespace samkart::synth
