# Warnings for fedgate's own targets. CI configures with -DFEDGATE_WERROR=ON, so a warning fails CI.
add_compile_options(-Wall -Wextra -Wpedantic -Wnon-virtual-dtor)
if(FEDGATE_WERROR)
  add_compile_options(-Werror)
endif()
