// Form errors tied to the fields they concern, as WCAG asks (3.3.1, 1.3.1):
// each message sits next to its field and is named by the field's
// aria-describedby, the field says aria-invalid, and a summary at the top
// of the form links to every field and takes the focus when the page loads,
// so a screen reader hears the errors first and a keyboard user can jump to
// the field. Also the wrapper that makes a wide table scrollable by
// keyboard.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace samkart::web {

class FormErrors {
 public:
  // An error for the field with HTML id `field_id` (a form-wide error: "").
  void Add(std::string field_id, std::string message);
  bool empty() const { return errors_.empty(); }

  // ` aria-invalid="true" aria-describedby="ID-feil"` when the field has an
  // error, else "": put inside the field's tag.
  std::string Attributes(std::string_view field_id) const;
  // The field's messages as `<p class="field-error" id="ID-feil">`, else "":
  // put between the label and the field.
  std::string Message(std::string_view field_id) const;
  // The summary with `heading` and a link to each field; focused on load.
  std::string Summary(std::string_view heading) const;

 private:
  struct Entry {
    std::string field_id;
    std::string message;
  };
  std::vector<Entry> errors_;
};

// A table that may be wider than the screen, in a region that scrolls on
// its own and can be reached and scrolled with the keyboard.
std::string ScrollRegion(std::string_view label, std::string_view table_html);

}  // namespace samkart::web
