class SpecRun < ApplicationRecord
end
